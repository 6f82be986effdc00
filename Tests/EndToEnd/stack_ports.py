"""run-local's ports and a PORT_OFFSET under which all of them are free: shared by the end-to-end
tests and Tests/Deployment's run-local tests (which import it as `EndToEnd.stack_ports`). Standard
library and pytest only, so importing it pulls in no browser tooling."""
import pathlib
import random
import re
import socket

import pytest

PORTS_FILE = pathlib.Path(__file__).resolve().parents[2] / "deploy" / "local" / "ports.env"


def read_ports(path=PORTS_FILE):
    """The NAME_PORT=number lines run-local reads its defaults from, as {NAME: number}."""
    ports = {}
    for line in path.read_text().splitlines():
        match = re.fullmatch(r"([A-Z_]+)_PORT=([0-9]+)", line)
        if match:
            ports[match.group(1)] = int(match.group(2))
    return ports


# run-local's defaults; PORT_OFFSET moves them all.
DEFAULT_PORTS = read_ports()


def port_is_free(port):
    with socket.socket() as s:
        try:
            s.bind(("", port))  # every address: a holder on 0.0.0.0 or 127.0.0.1 alike
            return True
        except OSError:
            return False


def free_port_offset():
    """A PORT_OFFSET under which every port of the stack is free (nothing assumes 8080 is). The ports
    stay below the kernel's ephemeral range, so no client connection of a running stack can take one
    between this check and the service's listen."""
    try:
        ephemeral_low = int(pathlib.Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        ephemeral_low = 32768
    highest = max(DEFAULT_PORTS.values())
    top = ephemeral_low - 1 - highest
    if top < 2000:
        top = 65535 - highest  # a narrow setting: take what is there
    for _ in range(200):
        offset = random.randrange(1000, top)
        if all(port_is_free(p + offset) for p in DEFAULT_PORTS.values()):
            return offset
    pytest.fail("no free set of ports found for the local stack")
