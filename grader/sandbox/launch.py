"""Start a worker inside namespaces as an unprivileged user, then exec it.

Run as ``python -I -S launch.py PLAN_JSON`` by ``client.py`` when the
isolation level is ``namespace`` or ``bwrap``.  The grader must be root: this
script builds the worker's view of the file system, applies the resource
limits, gives up root for a user id no other process uses, and only then runs
the worker command.  It imports nothing but the standard library, because
the worker's view may not contain the rest of the grader.

Level ``namespace`` does the work itself with system calls:

* launcher (root, host namespaces): unshares the mount namespace, mounts a
  tmpfs as the new root, binds the plan's paths into it and pivots into it,
  then unshares the network, PID, IPC and UTS namespaces and forks
* init (PID 1 of the new PID namespace): mounts /proc, forks the worker and
  waits for it.  When init dies, the kernel kills every process left in the
  namespace, so nothing student code started can outlive the worker
* worker: applies the limits, drops to the plan's user and execs the command

Level ``bwrap`` builds the same view and pivots into it while still root,
then drops to the plan's user and execs bubblewrap, which binds the view's
paths again into namespaces of its own, a user namespace among them.

Exit statuses: a worker killed by signal N makes the launcher exit with
128 + N, which is how ``client.py`` reads it at these levels.
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import stat
import sys

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000

MS_RDONLY = 0x1
MS_NOSUID = 0x2
MS_NODEV = 0x4
MS_NOEXEC = 0x8
MS_REMOUNT = 0x20
MS_BIND = 0x1000
MS_REC = 0x4000
MS_PRIVATE = 0x40000
MNT_DETACH = 0x2

PR_SET_PDEATHSIG = 1
PR_SET_NO_NEW_PRIVS = 38
#: pivot_root has no wrapper in the C library, so it is called by number, which differs by architecture.
#: NOTE: only x86_64 has been run; 41 is the number in Linux's generic table, which aarch64 uses.
SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41}

#: Device nodes bound into the worker's /dev at level namespace.
DEVICES = ("null", "zero", "full", "random", "urandom")

_libc = ctypes.CDLL(None, use_errno=True)


class LaunchError(Exception):
    """The sandbox could not be set up; the message names the step."""


def _call(name: str, result: int, *what: object) -> None:
    if result != 0:
        error = ctypes.get_errno()
        raise LaunchError(f"{name}({', '.join(map(str, what))}) failed: {os.strerror(error)}")


def _mount(source: str | None, target: str, kind: str | None, flags: int, data: str | None = None) -> None:
    encode = lambda text: None if text is None else text.encode()  # noqa: E731
    result = _libc.mount(encode(source), encode(target), encode(kind), ctypes.c_ulong(flags), encode(data))
    _call("mount", result, source, target, kind)


def _prctl(option: int, value: int) -> None:
    _call("prctl", _libc.prctl(option, ctypes.c_ulong(value), 0, 0, 0), option, value)


def _pivot_root_number() -> int:
    machine = os.uname().machine
    if machine not in SYS_PIVOT_ROOT:
        raise LaunchError(f"pivot_root's system call number on {machine} is unknown; use level process")
    return SYS_PIVOT_ROOT[machine]


# Steps shared by both levels.


def apply_limits(limits: dict[str, int]) -> None:
    """Set soft and hard rlimits, which an unprivileged process cannot raise again."""
    for name, value in limits.items():
        kind = getattr(resource, name)
        _, hard = resource.getrlimit(kind)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(kind, (value, value))


def drop_privileges(uid: int, gid: int) -> None:
    """Become ``uid``/``gid`` with no supplementary groups and no way back to root."""
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    if os.getresuid() != (uid, uid, uid) or os.getresgid() != (gid, gid, gid):
        raise LaunchError(f"could not drop to user {uid}")
    _prctl(PR_SET_NO_NEW_PRIVS, 1)


def _exit_like(status: int) -> None:
    if os.WIFSIGNALED(status):
        os._exit(128 + os.WTERMSIG(status))
    os._exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 1)


def _close_worker_fds(plan: dict) -> None:
    for fd in plan["pass_fds"]:
        try:
            os.close(fd)
        except OSError:
            pass


# Level namespace.


def build_view(plan: dict, *, devices: bool) -> None:
    """Make the worker's view the root of a new mount namespace, read-only.

    The view is a tmpfs holding the plan's symlinks, private tmpfs folders and
    bind mounts, and with ``devices`` the few device nodes of ``DEVICES``.
    Parent folders created for the bind mounts may be entered by anyone, so
    the worker's user reaches a Python installed under /root, for example.
    """
    _call("unshare", _libc.unshare(CLONE_NEWNS))
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    root = plan["root"]
    _mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=755")
    for link, target in plan["symlinks"]:
        os.symlink(target, root + link)
    for target, size in plan["tmpfs"]:
        os.makedirs(root + target, exist_ok=True)
        _mount("tmpfs", root + target, "tmpfs", MS_NOSUID | MS_NODEV, f"size={size},mode=1777")
    for source, target, mode in plan["binds"]:
        _bind(source, root + target)
    scratch = root + plan["scratch"]
    os.makedirs(scratch, exist_ok=True)
    size, uid, gid = plan["scratch_bytes"], plan["uid"], plan["gid"]
    _mount("tmpfs", scratch, "tmpfs", MS_NOSUID | MS_NODEV, f"size={size},mode=700,uid={uid},gid={gid}")
    # Only now, because a later bind may need a mount point inside an earlier one.
    for source, target, mode in plan["binds"]:
        if mode == "ro":
            _mount(None, root + target, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
    if devices:
        for name in DEVICES:
            _bind(f"/dev/{name}", f"{root}/dev/{name}")
        os.makedirs(root + "/proc", exist_ok=True)
    else:
        # bubblewrap reads the host's /proc and copies device nodes from its
        # /dev while it builds its own root.  The worker can reach neither.
        _bind("/proc", root + "/proc")
        _bind("/dev", root + "/dev")

    os.chdir(root)
    os.mkdir(".old-root")
    _call("pivot_root", _libc.syscall(_pivot_root_number(), b".", b".old-root"), root)
    os.chdir("/")
    _call("umount2", _libc.umount2(b"/.old-root", MNT_DETACH), "/.old-root")
    os.rmdir("/.old-root")
    _mount(None, "/", None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)


def run_namespace(plan: dict) -> None:
    build_view(plan, devices=True)
    _call("unshare", _libc.unshare(CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS))

    child = os.fork()
    if child == 0:
        _run_init(plan)
    _close_worker_fds(plan)
    _, status = os.waitpid(child, 0)
    _exit_like(status)


def _bind(source: str, target: str) -> None:
    if stat.S_ISDIR(os.stat(source).st_mode):
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if not os.path.exists(target):
            open(target, "w").close()
    _mount(source, target, None, MS_BIND | MS_REC)


def _run_init(plan: dict) -> None:
    """Run as PID 1 of the new PID namespace: mount /proc, start the worker, reap everything."""
    try:
        _prctl(PR_SET_PDEATHSIG, 9)
        _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
        _call("sethostname", _libc.sethostname(b"sandbox", 7))
        worker = os.fork()
        if worker == 0:
            _run_worker(plan)
    except BaseException as error:  # noqa: BLE001 - report any failure, then exit
        print(f"sandbox: {error}", file=sys.stderr, flush=True)
        os._exit(125)
    _close_worker_fds(plan)
    while True:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            os._exit(1)
        if pid == worker:
            _exit_like(status)


def _run_worker(plan: dict) -> None:
    try:
        os.chdir(plan["scratch"])
        apply_limits(plan["limits"])
        drop_privileges(plan["uid"], plan["gid"])
        _prctl(PR_SET_PDEATHSIG, 9)  # after the user change, which clears it
        command = plan["command"]
        os.execve(command[0], command, plan["environment"])
    except BaseException as error:  # noqa: BLE001 - report any failure, then exit
        print(f"sandbox: {error}", file=sys.stderr, flush=True)
        os._exit(125)


# Level bwrap.


def run_bwrap(plan: dict) -> None:
    build_view(plan, devices=False)
    arguments = [
        plan["bwrap"], "--unshare-all", "--unshare-user", "--disable-userns",
        "--die-with-parent", "--new-session",
        "--uid", str(plan["uid"]), "--gid", str(plan["gid"]), "--hostname", "sandbox",
        "--proc", "/proc", "--dev", "/dev",
    ]
    for link, target in plan["symlinks"]:
        arguments += ["--symlink", target, link]
    for target, size in plan["tmpfs"]:
        arguments += ["--size", str(size), "--tmpfs", target]
    # bubblewrap runs as the worker's user, who may not be allowed to reach
    # the original paths (a Python under /root, say), so it binds them from
    # the view built above, whose parent folders anyone may enter.
    for _, target, mode in plan["binds"]:
        arguments += ["--ro-bind" if mode == "ro" else "--bind", target, target]
    arguments += ["--size", str(plan["scratch_bytes"]), "--perms", "0700", "--tmpfs", plan["scratch"]]
    arguments += ["--remount-ro", "/", "--chdir", plan["scratch"], "--clearenv"]
    for name, value in plan["environment"].items():
        arguments += ["--setenv", name, value]
    arguments += ["--", *plan["command"]]

    apply_limits(plan["limits"])
    drop_privileges(plan["uid"], plan["gid"])
    _prctl(PR_SET_PDEATHSIG, 9)  # after the user change, which clears it
    os.execv(plan["bwrap"], arguments)


def main(argv: list[str]) -> None:
    plan = json.loads(argv[1])
    plan["uid"] = plan["gid"] = plan["uid_base"] + os.getpid()
    try:
        _prctl(PR_SET_PDEATHSIG, 9)  # if the grader dies, so does the sandbox
        if os.geteuid() != 0:
            raise LaunchError(f"level {plan['level']} needs the grader to run as root")
        if plan["level"] == "namespace":
            run_namespace(plan)
        elif plan["level"] == "bwrap":
            run_bwrap(plan)
        else:
            raise LaunchError(f"unknown level {plan['level']!r}")
    except (LaunchError, OSError) as error:
        print(f"sandbox: level {plan['level']}: {error}", file=sys.stderr, flush=True)
        os._exit(125)


if __name__ == "__main__":
    main(sys.argv)
