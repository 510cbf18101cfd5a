"""Mystery kernel: the photo through a hidden kernel; type a kernel that does the same.

Layout only: the puzzle, grid, score, hints and reveal are parts in ``app.mystery_view``; the puzzle maths is
``imgkernel.learn.puzzle``.
"""

from __future__ import annotations

import streamlit as st

from app import learn, session
from app import mystery_view as mv
from app.i18n import _
from imgkernel.learn import puzzle

st.title(_("Mystery kernel"))
learn.show_notice()
st.caption(
    _(
        "The photo went through a hidden kernel. Type weights into the grid until your result matches: the score "
        "rises as the two pictures get closer and the error map turns white."
    )
)

photo = session.current().photo
seed = mv.current_seed()
p = puzzle.puzzle(seed)
work = mv.work_photo(photo)
pixels = work.pixels
hidden_result = mv.hidden_result(work, p.matrix)

left, right = st.columns([1, 2])
with left:
    st.button(_("New puzzle"), key="mk_new", on_click=mv.new_seed)
    guess = mv.grid()
s = mv.score(pixels, guess, p.matrix, hidden_result)
with right:
    st.markdown(mv.score_text(s))
    if s.solved:
        st.success(_("Solved! Puzzle {seed}'s kernel does the same as yours.", seed=seed))
mv.pictures(photo, pixels, hidden_result, s, seed)

st.header(_("Hints"))
mv.hints(p.matrix)
mv.reveal(p)
mv.share(seed, photo)
