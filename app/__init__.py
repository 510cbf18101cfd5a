"""The Streamlit app around imgkernel: all Streamlit-only code lives here (pages are layout).

``state`` and ``wording`` are pure (no Streamlit); ``cache`` holds the cached calls into imgkernel,
``session`` the one session key and the widget glue, ``panels`` the parts of the playground page,
``learn`` what the Learn pages share, ``cnn_view`` the CNN layer page's steps and feature maps,
``walkthrough_view`` the pixel walkthrough's parts and ``lab_view`` the kernel lab's; ``clickable`` a picture that
says where it was clicked (with a text alternative).
"""
