"""A minimal Streamlit app: the accessibility floor of Streamlit itself, for tests/browser/test_accessibility.py.

Whatever axe-core finds here on Streamlit's own chrome (header, toolbar, sidebar navigation, the insides of its
widgets) is not the playground's to fix, and the test forgives the same finding on the same chrome in the app
(colour contrast aside: the theme is the app's, and this app is started from the same directory, with its config).
It holds what the app's pages are made of, each used the accessible way: a title, a labelled selectbox and slider,
two pictures with alt text and a caption; and, like the app, a navigation with a default page and a section.
"""

import numpy as np
import streamlit as st


def main() -> None:
    st.title("Baseline")
    kernel = st.selectbox("Kernel", ["Identity", "Box blur", "Sharpen"])
    size = st.slider("Size", 1, 9, 3, step=2)
    photo = (np.random.default_rng(0).random((120, 160, 3)) * 255).astype(np.uint8)
    left, right = st.columns(2)
    left.image(photo, alt="Random coloured noise, 160 by 120 pixels")
    right.image(255 - photo, alt=f"The same noise with its colours inverted, labelled {kernel}")
    st.caption(f"Result: {kernel} · size {size}")


def second() -> None:
    st.title("Second page")


st.set_page_config(page_title="a11y baseline", layout="wide")
st.navigation(
    {
        "": [st.Page(main, title="Baseline", default=True)],
        "Section": [st.Page(second, title="Second page", url_path="second")],
    }
).run()
