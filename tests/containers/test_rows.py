"""The Python-rendered list rows: escaping and relative times."""

from datetime import UTC, datetime, timedelta

from console.containers.rows import RowOptions, ago, render_row
from console.engine.containers import ContainerRow

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _row(**overrides) -> ContainerRow:
    values = {
        "id": "a" * 64,
        "name": "web",
        "image": "busybox",
        "command": "sleep 1",
        "created": NOW - timedelta(minutes=3),
        "state": "running",
        "status": "Up 3 minutes",
        "health": "",
        "ports": [],
        "labels": {},
    }
    return ContainerRow(**(values | overrides))


OPERATOR = RowOptions(
    base_url="/hosts/h/containers/",
    can_operate=True,
    csrf_token="tok",
    no_trunc=False,
    show_size=False,
)


def test_relative_times_read_like_docker_ps():
    assert ago(NOW - timedelta(seconds=5), NOW) == "5 seconds ago"
    assert ago(NOW - timedelta(minutes=1), NOW) == "1 minute ago"
    assert ago(NOW - timedelta(days=3, hours=5), NOW) == "3 days ago"
    assert ago(NOW + timedelta(seconds=2), NOW) == "just now"


def test_every_engine_value_is_escaped():
    hostile = '"><script>alert(1)</script>'
    html = render_row(
        _row(
            id=hostile,
            state=hostile,
            name=hostile,
            image=hostile,
            command=hostile,
            status=hostile,
            ports=[hostile],
            health=hostile,
        ),
        OPERATOR,
        NOW,
    )
    assert "<script>" not in html
    assert html.count("&lt;script&gt;") >= 8
    assert "%22%3E%3Cscript%3E" in html  # the name in the link is URL-quoted


def test_operator_gets_state_fitting_buttons_viewer_none():
    running = render_row(_row(), OPERATOR, NOW)
    assert 'action="/hosts/h/containers/' + "a" * 64 + '/stop/"' in running
    assert 'name="csrfmiddlewaretoken" value="tok"' in running
    assert ">Start<" not in running
    exited = render_row(_row(state="exited"), OPERATOR, NOW)
    assert ">Start<" in exited and ">Stop<" not in exited
    viewer = RowOptions(
        base_url="/hosts/h/containers/",
        can_operate=False,
        csrf_token="tok",
        no_trunc=False,
        show_size=False,
    )
    assert "<button" not in render_row(_row(), viewer, NOW)


def test_windows_platform_cell_and_full_command_are_escaped():
    hostile = '"><script>alert(1)</script>'
    options = RowOptions(
        base_url="/hosts/h/containers/",
        can_operate=True,
        csrf_token="tok",
        no_trunc=True,
        show_size=True,
        show_platform=True,
    )
    html = render_row(
        _row(command=hostile, os="windows", isolation=hostile, image_platform=hostile),
        options,
        NOW,
    )
    assert "<script>" not in html
    assert html.count("&lt;script&gt;") == 4  # command (title and text), platform, isolation
