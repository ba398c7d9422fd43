from flask_simple_authorize import allowed_to
from flask_simple_authorize import authorize


def test_x(as_user, author, draft, viewer):
    with as_user(author):
        assert authorize(draft, "update") is draft
    with as_user(viewer):
        assert not allowed_to("update", draft)
