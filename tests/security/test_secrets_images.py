"""Build argument values (`--build-arg PASSWORD=…`) are recorded in an image's history
and, by the classic builder, in its ContainerConfig.Cmd: viewers see them masked on the
image's page and in its JSON; operators and admins, who may pull the image, see them."""

import contextlib
import html
import io

import pytest

from console.access.models import Role
from console.engine.masking import MASK

SECRET = "build-Arg-Secret-5"
DEFAULT = "arg-Default-Secret-3"


@pytest.fixture
def built_with_args(engine_api, fleet):
    """An image built with a secret build argument (and a secret ARG default)."""
    dockerfile = "\n".join(
        [
            f"FROM {fleet.base_image}",
            f"ARG TOKEN={DEFAULT}",
            "ARG PASSWORD",
            "RUN echo built > /built",
        ]
    )
    image_id = None
    for event in engine_api.build(
        fileobj=io.BytesIO(dockerfile.encode()),
        buildargs={"PASSWORD": SECRET},
        rm=True,
        forcerm=True,
        network_mode="none",
        decode=True,
    ):
        assert "error" not in event, event
        image_id = event.get("aux", {}).get("ID", image_id)
    assert image_id
    yield image_id
    with contextlib.suppress(Exception):
        engine_api.remove_image(image_id, force=True)


@pytest.mark.parametrize("role", [Role.VIEWER, Role.OPERATOR, Role.ADMIN])
def test_build_args_are_masked_for_viewers_only(
    make_user, logged_in, unix_host, built_with_args, engine_api, role
):
    client = logged_in(make_user(f"img-{role.label}", role, unix_host))
    url = f"/hosts/unix/images/{built_with_args}/"
    page = client.get(url)
    text = html.unescape(page.content.decode())
    shown = [h.created_by for h in page.context["detail"].history]
    data = client.get(url + "?format=json").json()
    raw = engine_api.inspect_image(built_with_args)
    if role >= Role.OPERATOR:
        assert SECRET in text and DEFAULT in text
        assert shown == [h["CreatedBy"] for h in engine_api.history(built_with_args)]
        assert data == raw
        return
    assert SECRET not in text and DEFAULT not in text
    assert SECRET not in str(data) and DEFAULT not in str(data)
    assert f"|2 PASSWORD={MASK} TOKEN={MASK} /bin/sh -c echo built > /built" in shown
    assert f"/bin/sh -c #(nop)  ARG TOKEN={MASK}" in shown
    assert "/bin/sh -c #(nop)  ARG PASSWORD" in shown
    assert "seeing them needs the operator role" in text
    assert data["ContainerConfig"]["Cmd"] == [
        "|2",
        f"PASSWORD={MASK}",
        f"TOKEN={MASK}",
        "/bin/sh",
        "-c",
        "echo built > /built",
    ]
    # Only the build arguments differ from the engine's answer.
    data["ContainerConfig"].pop("Cmd"), raw["ContainerConfig"].pop("Cmd")
    assert data == raw


def test_a_value_with_spaces_is_masked_whole():
    from console.engine.masking import masked_build_args

    line = "|2 A=one two B=three four five /bin/sh -c make"
    assert masked_build_args(line) == f"|2 A={MASK} B={MASK} /bin/sh -c make"
    buildkit = "RUN |1 TOKEN=x y /bin/sh -c make # buildkit"
    assert masked_build_args(buildkit) == f"RUN |1 TOKEN={MASK} /bin/sh -c make # buildkit"
    assert masked_build_args('ARG A=1 B="x y"') == f"ARG A={MASK} B={MASK}"
    assert masked_build_args("/bin/sh -c echo ARG X=1") == "/bin/sh -c echo ARG X=1"
