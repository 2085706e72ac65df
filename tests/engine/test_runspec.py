"""Parsing the `docker run` flags as typed: values the engine takes, or a sentence that
names the bad item."""

import pytest

from console.engine import runspec
from console.engine.runspec import ContainerPort, PortMapping, SpecError, VolumeSpec


def test_the_image_is_kept_as_given():
    ref = "127.0.0.1:5000/team/app:2@sha256:" + "a" * 64
    assert runspec.parse_image(f"  {ref} ") == ref


@pytest.mark.parametrize("name", ["web", "web-1", "a.b_c", "9lives"])
def test_container_names(name):
    assert runspec.parse_container_name(name) == name


@pytest.mark.parametrize("name", ["x", "-web", "web 1", "<script>", "wéb", "a/b"])
def test_bad_container_names(name):
    with pytest.raises(ValueError, match="not a valid container name"):
        runspec.parse_container_name(name)


def test_command_is_split_like_a_shell():
    assert runspec.parse_command("sh -c 'echo \"hi there\"; exit 3'") == [
        "sh",
        "-c",
        'echo "hi there"; exit 3',
    ]
    assert runspec.parse_command("") == []
    with pytest.raises(ValueError, match="Unbalanced quotes"):
        runspec.parse_command("sh -c 'oops")


def test_command_round_trips():
    words = ["sh", "-c", "echo 'a b' $HOME"]
    assert runspec.parse_command(runspec.format_command(words)) == words


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("80", [PortMapping(ContainerPort(80))]),
        ("8080:80", [PortMapping(ContainerPort(80), "", "8080")]),
        ("127.0.0.1:8080:80/tcp", [PortMapping(ContainerPort(80), "127.0.0.1", "8080")]),
        ("127.0.0.1::53/udp", [PortMapping(ContainerPort(53, "udp"), "127.0.0.1", "")]),
        ("[::1]:8080:80", [PortMapping(ContainerPort(80), "::1", "8080")]),
        ("5000:5000/sctp", [PortMapping(ContainerPort(5000, "sctp"), "", "5000")]),
        (
            "8000-8002:80-82",
            [
                PortMapping(ContainerPort(80), "", "8000"),
                PortMapping(ContainerPort(81), "", "8001"),
                PortMapping(ContainerPort(82), "", "8002"),
            ],
        ),
        ("8000-8010:80", [PortMapping(ContainerPort(80), "", "8000-8010")]),
        ("80-81", [PortMapping(ContainerPort(80)), PortMapping(ContainerPort(81))]),
    ],
)
def test_port_specs(spec, expected):
    assert runspec.parse_port_spec(spec) == expected


@pytest.mark.parametrize(
    ("spec", "problem"),
    [
        ("http", "container port “http” is not a port number"),
        ("8080:0", "container port “0” is not a port number"),
        ("70000:80", "host port “70000” is not a port number"),
        ("80/icmp", "unknown protocol “icmp”"),
        ("300.1.1.1:80:80", "“300.1.1.1” is not an IP address"),
        ("90-80", "ends before it starts"),
        ("8000-8001:80-82", "ranges of the same size"),
        ("8080:", "container port “” is not a port number"),
        ("²:80", "host port “²” is not a port number"),
    ],
)
def test_bad_port_specs(spec, problem):
    with pytest.raises(ValueError, match=problem) as caught:
        runspec.parse_port_spec(spec)
    assert f"“{spec}”" in str(caught.value)


def test_port_list_reports_every_bad_spec():
    with pytest.raises(SpecError) as caught:
        runspec.parse_ports("80 bad\n8080:80, 1:2:3:4/x")
    assert len(caught.value.problems) == 2
    assert "“bad”" in caught.value.problems[0]


@pytest.mark.parametrize(
    "spec", ["80", "8080:80", "127.0.0.1:8080:80", "127.0.0.1::53/udp", "[::1]:8080:80/sctp"]
)
def test_ports_round_trip(spec):
    (mapping,) = runspec.parse_port_spec(spec)
    assert runspec.format_port(mapping) == spec


def test_exposed_ports():
    assert runspec.parse_exposed("80 443/udp, 9000-9001 80") == [
        ContainerPort(80),
        ContainerPort(443, "udp"),
        ContainerPort(9000),
        ContainerPort(9001),
    ]
    with pytest.raises(SpecError, match="“x/tcp”: port “x” is not a port number"):
        runspec.parse_exposed("x/tcp")


ENV_FILE = """\ufeff# database settings
DB_HOST=db.internal

  DB_PASSWORD=p@ss=word with spaces  \n\
QUOTED="kept as is"
EMPTY=
PASS_THROUGH
   # indented comment
"""


def test_env_file_syntax_like_docker():
    assert runspec.parse_env(ENV_FILE) == [
        "DB_HOST=db.internal",
        "DB_PASSWORD=p@ss=word with spaces  ",
        'QUOTED="kept as is"',
        "EMPTY=",
    ]


def test_bad_env_lines_name_the_line():
    with pytest.raises(SpecError) as caught:
        runspec.parse_env("OK=1\nMY VAR=2\n=3\n")
    assert caught.value.problems == [
        "line 2: the variable name “MY VAR” contains whitespace",
        "line 3: “=3” has no variable name before “=”",
    ]


def test_env_keys_never_values():
    assert runspec.env_keys(["A=secret", "B=", "C=x=y"]) == ["A", "B", "C"]


def test_labels():
    assert runspec.parse_labels("# owner\ntier=front\nflag\nnote=a=b\n") == {
        "tier": "front",
        "flag": "",
        "note": "a=b",
    }
    with pytest.raises(SpecError, match="label name “a b” contains whitespace"):
        runspec.parse_labels("a b=c")


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("/data", VolumeSpec("/data")),
        ("cache:/var/cache", VolumeSpec("/var/cache", "cache")),
        ("cache:/var/cache:ro", VolumeSpec("/var/cache", "cache", "ro")),
        ("cache:/var/cache:nocopy", VolumeSpec("/var/cache", "cache", "nocopy")),
        ("/srv/conf:/etc/app:ro", VolumeSpec("/etc/app", "/srv/conf", "ro")),
        ("/srv/my conf:/etc/app:rw,z", VolumeSpec("/etc/app", "/srv/my conf", "rw,z")),
        ("/srv:/srv:rslave", VolumeSpec("/srv", "/srv", "rslave")),
    ],
)
def test_volume_specs(spec, expected):
    volume = runspec.parse_volume(spec)
    assert volume == expected
    assert str(volume) == spec


def test_single_letter_volume_names_are_refused_like_the_engine_does():
    with pytest.raises(ValueError, match="neither an absolute host path nor a volume name"):
        runspec.parse_volume("v:/c")


@pytest.mark.parametrize(
    ("spec", "problem"),
    [
        ("data", "container path “data” must be absolute"),
        ("vol:data", "container path “data” must be absolute"),
        ("vol:ro", "container path “ro” must be absolute"),
        ("vol:/", "cannot be “/”"),
        ("./rel:/data", "neither an absolute host path nor a volume name"),
        ("~/x:/data", "neither an absolute host path nor a volume name"),
        ("vol:/data:rx", "unknown option “rx”"),
        ("vol:/data:ro,rw", "“ro” and “rw” contradict each other"),
        ("vol:/data:rshared", "propagation applies to bind mounts only"),
        ("/h:/data:nocopy", "nocopy applies to named volumes only"),
        ("/data:ro", "an anonymous volume takes no options"),
        ("a:/b:ro:x", "too many “:”"),
        (":/data", "the source before the first “:” is empty"),
        ("vol:/data:", "unknown option “”"),
    ],
)
def test_bad_volume_specs(spec, problem):
    with pytest.raises(ValueError, match=problem):
        runspec.parse_volume(spec)


def test_volume_list_is_one_per_line_and_refuses_two_on_one_path():
    assert runspec.parse_volumes("/a\n\n  vv:/b  \n") == [VolumeSpec("/a"), VolumeSpec("/b", "vv")]
    with pytest.raises(SpecError, match="two volumes mount on “/a/”"):
        runspec.parse_volumes("/a\nvv:/a/")


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("", 0),
        ("0", 0),
        ("8192k", 8 * 1024**2),
        ("512m", 512 * 1024**2),
        ("512MB", 512 * 1024**2),
        ("1g", 1024**3),
        ("1.5g", 1536 * 1024**2),
        ("1GiB", 1024**3),
        ("10485760", 10 * 1024**2),
        ("10485760b", 10 * 1024**2),
    ],
)
def test_memory_sizes(text, size):
    assert runspec.parse_memory(text) == size


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("lots", "not a memory size"),
        ("-1g", "not a memory size"),
        ("1x", "not a memory size"),
        ("1024k", "below the engine's minimum"),
        ("5m", "below the engine's minimum"),
    ],
)
def test_bad_memory_sizes(text, problem):
    with pytest.raises(ValueError, match=problem):
        runspec.parse_memory(text)


@pytest.mark.parametrize("size", [512 * 1024**2, 1024**3, 6 * 1024**2 + 1, 1536 * 1024**2])
def test_memory_round_trips(size):
    assert runspec.parse_memory(runspec.format_memory(size)) == size


@pytest.mark.parametrize(
    ("text", "nano"), [("", 0), ("1.5", 1_500_000_000), ("0.01", 10_000_000), ("2", 2 * 10**9)]
)
def test_cpus(text, nano):
    assert runspec.parse_cpus(text) == nano
    assert runspec.parse_cpus(runspec.format_cpus(nano)) == nano


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("many", "not a number of CPUs"),
        ("-1", "not a number of CPUs"),
        ("nan", "not a number of CPUs"),
        ("0.0000000001", "too precise"),
    ],
)
def test_bad_cpus(text, problem):
    with pytest.raises(ValueError, match=problem):
        runspec.parse_cpus(text)


def test_restart_policies():
    assert str(runspec.restart_policy("on-failure", 3)) == "on-failure:3"
    assert str(runspec.restart_policy("always", None)) == "always"
    with pytest.raises(ValueError, match="only with on-failure"):
        runspec.restart_policy("always", 2)
    with pytest.raises(ValueError, match="not a restart policy"):
        runspec.restart_policy("sometimes", None)


def test_networks():
    assert runspec.parse_network("") == "bridge"
    assert runspec.parse_network("none") == "none"
    assert runspec.parse_network("container:web-1") == "container:web-1"
    with pytest.raises(ValueError, match="not a network name"):
        runspec.parse_network("my net")
    assert not runspec.can_publish("none")
    assert not runspec.can_publish("host")
    assert not runspec.can_publish("container:web")
    assert runspec.can_publish("bridge") and runspec.can_publish("backend")


def test_hostname_working_dir_and_user():
    assert runspec.parse_hostname("db-1.internal") == "db-1.internal"
    for bad in ("-db", "a_b", "x" * 65, "<script>"):
        with pytest.raises(ValueError, match="not a hostname"):
            runspec.parse_hostname(bad)
    assert runspec.parse_working_dir("/srv/app") == "/srv/app"
    with pytest.raises(ValueError, match="must be an absolute path"):
        runspec.parse_working_dir("srv")
    assert runspec.parse_user("1000:1000") == "1000:1000"
    assert runspec.parse_user("nobody") == "nobody"
    with pytest.raises(ValueError, match="not a user"):
        runspec.parse_user("a b")


def test_hostname_belongs_to_the_network_stack():
    assert runspec.has_own_hostname("bridge") and runspec.has_own_hostname("none")
    assert not runspec.has_own_hostname("host")
    assert not runspec.has_own_hostname("container:web")
