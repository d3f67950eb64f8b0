"""pulumi-language-python for machines without Pulumi's own: a Python language host for the Pulumi engine.

The engine starts `pulumi-language-python [flags] ENGINE_ADDRESS` (found on PATH or beside the CLI), reads
the port this process prints, and calls the LanguageRuntime service (proto/pulumi/language.proto) over
gRPC. The Pulumi distribution's host is a Go program that this machine cannot build for current engines
(see ../README.md); this one is written in Python on the protocol stubs that the `pulumi` package ships,
and runs in its own environment (build.sh installs the `pulumi` package of the CLI's version into it), so
it works whatever the project's own environment holds.

What it serves:

- Run: the program, with the interpreter Pulumi.yaml asks for (`runtime.options.virtualenv`, else
  PULUMI_PYTHON_CMD, else `python3`), through run_program.py beside this file.
- RunPlugin for policy packs (kind `analyzer`): the pack's `__main__.py`, behind a small Analyzer proxy
  that learns the stack (project, stack, config) from the engine's ConfigureStack call and passes it to
  the pack in the environment variables pulumi-policy reads, as Pulumi's host does.
- GetRequiredPackages / GetRequiredPlugins (provider packages with a pulumi-plugin.json in the program's
  environment), InstallDependencies (creates the virtualenv, installs requirements.txt with pip), About,
  GetProgramDependencies, GetPluginInfo, Handshake, Cancel, RuntimeOptionsPrompts and Template (nothing to
  ask or rewrite for the pip toolchain).

Everything else answers UNIMPLEMENTED with a message naming the call and this host: code generation
(GenerateProgram/Project/Package, Pack, Link, so `pulumi convert`, `pulumi package ...`), RunPlugin for
anything but policy packs, the uv and poetry toolchains, type checkers, and debugger attachment.

Errors a user causes (a missing virtualenv, an interpreter that cannot import pulumi) are logged once to
the engine as a plain error message and the run bails, so they are not repeated with a gRPC prefix.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
from concurrent import futures
from importlib.metadata import version as dist_version
from pathlib import Path
from typing import Iterator

import grpc
from google.protobuf import empty_pb2, json_format
from pulumi.runtime.proto import (
    analyzer_pb2,
    engine_pb2,
    engine_pb2_grpc,
    language_pb2,
    language_pb2_grpc,
    plugin_pb2,
)

HERE = Path(__file__).resolve().parent
RUN_PROGRAM = HERE / "run_program.py"
PROBE = HERE / "probe.py"
NAME = "pulumi-language-python (balena-pulumi's stand-in host, tools/pulumi/python-host)"

# run_program.py's exit codes: the program failed and the error is already in front of the user; the
# interpreter cannot import the pulumi package; the program was interrupted for the engine (nothing to add).
EXIT_REPORTED = 32
EXIT_NO_SDK = 33
EXIT_INTERRUPTED = 34

GRPC_OPTIONS = [
    ("grpc.max_receive_message_length", 400 * 1024 * 1024),
    ("grpc.max_send_message_length", 400 * 1024 * 1024),
]
SUPPORTED_TOOLCHAINS = ("pip",)


class HostError(Exception):
    """Something about the project the user can fix; the message is shown as it is."""


# -- the project's Python --------------------------------------------------------------------------------


class PythonOptions:
    """`runtime.options` of Pulumi.yaml (or PulumiPolicy.yaml), resolved against the project root."""

    def __init__(self, root: str, program_dir: str, options: dict, *, config_file: str = "Pulumi.yaml") -> None:
        self.root = Path(root or program_dir or os.getcwd())
        self.program_dir = Path(program_dir or root or os.getcwd())
        self.config_file = config_file
        toolchain = options.get("toolchain", "pip")
        if toolchain not in SUPPORTED_TOOLCHAINS:
            raise HostError(
                f"{config_file} sets runtime option toolchain: {toolchain}, which this machine's Python language "
                f"host does not support (only pip; see tools/pulumi/README.md). Use toolchain: pip with a "
                f"virtualenv, or Pulumi's own language host."
            )
        if options.get("typechecker"):
            raise HostError(
                f"{config_file} sets runtime option typechecker: {options['typechecker']}, which this machine's "
                f"Python language host does not run (see tools/pulumi/README.md); remove the option or run "
                f"the type checker yourself."
            )
        virtualenv = options.get("virtualenv")
        if virtualenv is not None and not isinstance(virtualenv, str):
            raise HostError(f"{config_file}: runtime option virtualenv must be a string, not {virtualenv!r}")
        self.virtualenv_option = virtualenv or None
        # Not resolve(): a virtualenv reached through a symlink is used as named, as `source bin/activate` would.
        self.virtualenv = None if not virtualenv else Path(os.path.abspath(self.root / virtualenv))

    @classmethod
    def from_info(cls, info, *, config_file: str = "Pulumi.yaml") -> "PythonOptions":
        options = json_format.MessageToDict(info.options) if info.HasField("options") else {}
        return cls(info.root_directory, info.program_directory, options, config_file=config_file)

    def interpreter(self) -> str:
        """The Python that runs the program: the virtualenv's, else PULUMI_PYTHON_CMD, else python3."""
        if self.virtualenv is not None:
            python = self.virtualenv / "bin" / "python"
            if not os.access(python, os.X_OK):
                raise HostError(
                    f"The 'virtualenv' option in {self.config_file} is set to {self.virtualenv_option!r}, but "
                    f"{self.virtualenv} is not a Python virtual environment (no bin/python). Create it and "
                    f"install the project's dependencies (`pulumi install` does both for a requirements.txt "
                    f"project), or change the option."
                )
            return str(python)
        return base_python()

    def environment(self, base: dict[str, str]) -> dict[str, str]:
        """``base`` with the virtualenv activated, as `source bin/activate` would."""
        env = dict(base)
        if self.virtualenv is not None:
            env["VIRTUAL_ENV"] = str(self.virtualenv)
            env["PATH"] = os.pathsep.join([str(self.virtualenv / "bin"), env.get("PATH", "")])
            env.pop("PYTHONHOME", None)
        return env


def base_python() -> str:
    """The interpreter used when no virtualenv is configured (and to create one)."""
    command = os.environ.get("PULUMI_PYTHON_CMD") or "python3"
    found = shutil.which(command)
    if not found:
        source = "PULUMI_PYTHON_CMD" if os.environ.get("PULUMI_PYTHON_CMD") else "PATH"
        raise HostError(
            f"no Python interpreter: {command!r} (from {source}) was not found; install Python 3, set "
            f"PULUMI_PYTHON_CMD, or set runtime option virtualenv in Pulumi.yaml"
        )
    return found


def probe(python: str, env: dict[str, str], what: str, *args: str) -> object:
    """Run probe.py in the program's interpreter and return its JSON answer."""
    proc = subprocess.run(
        [python, str(PROBE), what, *args], env=env, capture_output=True, text=True, timeout=300
    )
    if proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
        raise HostError(f"inspecting the Python environment of {python} failed: {detail[0]}")
    return json.loads(proc.stdout)


# -- the host --------------------------------------------------------------------------------------------


class Children:
    """The processes this host started (programs, policy packs), so Cancel and shutdown can stop them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._procs: set[subprocess.Popen] = set()

    def add(self, proc: subprocess.Popen) -> None:
        with self._lock:
            self._procs.add(proc)

    def discard(self, proc: subprocess.Popen) -> None:
        with self._lock:
            self._procs.discard(proc)

    def interrupt_all(self) -> None:
        with self._lock:
            procs = list(self._procs)
        for proc in procs:
            stop(proc)


def stop(proc: subprocess.Popen, grace: float = 5.0) -> None:
    """SIGINT (a Python program's KeyboardInterrupt), then SIGKILL if it has not gone after ``grace``."""
    if proc.poll() is not None:
        return
    try:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    except ProcessLookupError:
        pass


class LanguageHost(language_pb2_grpc.LanguageRuntimeServicer):
    def __init__(self, engine_address: str, children: Children) -> None:
        self.engine_address = engine_address
        self.children = children

    # -- reporting -------------------------------------------------------------------------------------

    def _log_error(self, message: str) -> bool:
        """Show ``message`` to the user once, as the engine shows program errors; False if it could not."""
        if not self.engine_address:
            return False
        try:
            with grpc.insecure_channel(self.engine_address) as channel:
                engine_pb2_grpc.EngineStub(channel).Log(
                    engine_pb2.LogRequest(severity=engine_pb2.ERROR, message=message), timeout=30
                )
            return True
        except grpc.RpcError:
            return False

    def _bail(self, message: str) -> language_pb2.RunResponse:
        if self._log_error(message):
            return language_pb2.RunResponse(bail=True)
        return language_pb2.RunResponse(error=message)

    # -- handshake and information ---------------------------------------------------------------------

    def Handshake(self, request, context):
        if request.engine_address:
            self.engine_address = request.engine_address
        return language_pb2.LanguageHandshakeResponse()

    def GetPluginInfo(self, request, context):
        return plugin_pb2.PluginInfo(version=dist_version("pulumi"))

    def About(self, request, context):
        try:
            opts = PythonOptions.from_info(request.info)
            python = opts.interpreter()
            about = probe(python, opts.environment(dict(os.environ)), "about")
        except HostError as exc:
            context.abort(grpc.StatusCode.FAILED_PRECONDITION, str(exc))
        return language_pb2.AboutResponse(executable=about["executable"], version=about["version"])

    def GetProgramDependencies(self, request, context):
        try:
            opts = PythonOptions.from_info(request.info)
            python = opts.interpreter()
            found = probe(python, opts.environment(dict(os.environ)), "distributions")
        except HostError as exc:
            context.abort(grpc.StatusCode.FAILED_PRECONDITION, str(exc))
        return language_pb2.GetProgramDependenciesResponse(
            dependencies=[language_pb2.DependencyInfo(name=d["name"], version=d["version"]) for d in found]
        )

    def _required(self, info) -> list[dict]:
        # Run reports a missing or broken environment, once and plainly; here it only means "no packages".
        try:
            opts = PythonOptions.from_info(info)
            return probe(opts.interpreter(), opts.environment(dict(os.environ)), "plugins")  # type: ignore[return-value]
        except HostError:
            return []

    def GetRequiredPackages(self, request, context):
        return language_pb2.GetRequiredPackagesResponse(
            packages=[
                plugin_pb2.PackageDependency(
                    name=p["name"], kind="resource", version=p["version"], server=p.get("server", ""),
                    parameterization=_parameterization(p.get("parameterization")),
                )
                for p in self._required(request.info)
            ]
        )

    def GetRequiredPlugins(self, request, context):
        return language_pb2.GetRequiredPluginsResponse(
            plugins=[
                plugin_pb2.PluginDependency(name=p["name"], kind="resource", version=p["version"], server=p.get("server", ""))
                for p in self._required(request.info)
                if not p.get("parameterization")
            ]
        )

    def RuntimeOptionsPrompts(self, request, context):
        # `pulumi new` asks nothing more: this host knows only the pip toolchain.
        return language_pb2.RuntimeOptionsResponse()

    def Template(self, request, context):
        try:
            PythonOptions.from_info(request.info)
        except HostError as exc:
            context.abort(grpc.StatusCode.UNIMPLEMENTED, str(exc))
        # With pip, a template's requirements.txt is used as it is.
        return language_pb2.TemplateResponse()

    # -- running the program ---------------------------------------------------------------------------

    def Run(self, request, context):
        if request.attach_debugger:
            return self._bail(f"{NAME} cannot start a program under a debugger")
        try:
            opts = PythonOptions.from_info(request.info)
            python = opts.interpreter()
        except HostError as exc:
            return self._bail(str(exc))

        args = [python, "-u", str(RUN_PROGRAM)]
        for flag, value in (
            ("--monitor", request.monitor_address),
            ("--engine", self.engine_address),
            ("--project", request.project),
            ("--stack", request.stack),
            ("--organization", request.organization),
            ("--root-directory", request.info.root_directory),
            ("--pwd", request.pwd or request.info.program_directory),
            ("--parallel", str(request.parallel)),
        ):
            if value:
                args += [flag, value]
        if request.dryRun:
            args.append("--dry-run")
        entry = Path(request.info.program_directory or request.pwd) / (request.info.entry_point or ".")
        args += ["--", str(entry), *request.args]

        env = opts.environment(dict(os.environ))
        env["PULUMI_CONFIG"] = json.dumps(dict(request.config))
        env["PULUMI_CONFIG_SECRET_KEYS"] = json.dumps(list(request.configSecretKeys))

        try:
            # stdout and stderr are this host's: the engine shows what the program prints, as for any plugin.
            proc = subprocess.Popen(args, env=env, cwd=request.pwd or request.info.program_directory or None)
        except OSError as exc:
            return self._bail(f"could not start the program's Python {python}: {exc}")
        self.children.add(proc)
        context.add_callback(lambda: stop(proc))  # the engine went away or cancelled the call
        try:
            code = proc.wait()
        finally:
            self.children.discard(proc)

        if code == 0:
            return language_pb2.RunResponse()
        if code in (EXIT_REPORTED, EXIT_INTERRUPTED):
            return language_pb2.RunResponse(bail=True)
        if code == EXIT_NO_SDK:
            return self._bail(
                f"the program's Python {python} cannot import the pulumi package; install the project's "
                f"dependencies into "
                + (str(opts.virtualenv) if opts.virtualenv else "that interpreter's environment")
                + " (set runtime option virtualenv in Pulumi.yaml to use a virtual environment)"
            )
        if code < 0:
            return language_pb2.RunResponse(error=f"the program's Python process was stopped by signal {-code}")
        return language_pb2.RunResponse(error=f"the program's Python process exited with code {code}")

    def Cancel(self, request, context):
        self.children.interrupt_all()
        return empty_pb2.Empty()

    # -- dependencies ----------------------------------------------------------------------------------

    def InstallDependencies(self, request, context) -> Iterator[language_pb2.InstallDependenciesResponse]:
        try:
            opts = PythonOptions.from_info(request.info)
        except HostError as exc:
            context.abort(grpc.StatusCode.FAILED_PRECONDITION, str(exc))

        def say(text: str) -> language_pb2.InstallDependenciesResponse:
            return language_pb2.InstallDependenciesResponse(stdout=(text + "\n").encode())

        steps: list[list[str]] = []
        if opts.virtualenv is not None and not (opts.virtualenv / "bin" / "python").exists():
            try:
                steps.append([base_python(), "-m", "venv", str(opts.virtualenv)])
            except HostError as exc:
                context.abort(grpc.StatusCode.FAILED_PRECONDITION, str(exc))
        requirements = next(
            (d / "requirements.txt" for d in (opts.program_dir, opts.root) if (d / "requirements.txt").exists()), None
        )
        python = str(opts.virtualenv / "bin" / "python") if opts.virtualenv is not None else None
        if requirements is not None:
            if python is None:
                try:
                    python = base_python()
                except HostError as exc:
                    context.abort(grpc.StatusCode.FAILED_PRECONDITION, str(exc))
            steps.append([python, "-m", "pip", "install", "-r", str(requirements)])
        if not steps:
            yield say(f"{NAME}: nothing to install (the virtualenv exists and there is no requirements.txt)")
            return
        for step in steps:
            yield say("$ " + " ".join(step))
            proc = subprocess.Popen(step, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=str(opts.root))
            self.children.add(proc)
            try:
                assert proc.stdout is not None
                for line in proc.stdout:
                    yield language_pb2.InstallDependenciesResponse(stdout=line)
                code = proc.wait()
            finally:
                self.children.discard(proc)
            if code != 0:
                context.abort(grpc.StatusCode.UNKNOWN, f"`{' '.join(step)}` failed with exit code {code}")

    # -- plugins (policy packs) ------------------------------------------------------------------------

    def RunPlugin(self, request, context):
        if request.kind != "analyzer":
            context.abort(
                grpc.StatusCode.UNIMPLEMENTED,
                f"{NAME} runs only policy packs, not Python {request.kind or 'resource'} plugins "
                f"({request.name or request.info.program_directory}); use Pulumi's own language host for those",
            )
        if request.attach_debugger:
            context.abort(grpc.StatusCode.UNIMPLEMENTED, f"{NAME} cannot start a policy pack under a debugger")
        try:
            opts = PythonOptions.from_info(request.info, config_file="PulumiPolicy.yaml")
            python = opts.interpreter()
        except HostError as exc:
            context.abort(grpc.StatusCode.FAILED_PRECONDITION, str(exc))
        pack_dir = Path(request.info.program_directory)
        # The engine sends the whole environment the plugin should have; the virtualenv goes on top of it.
        base = dict(os.environ)
        base.update(dict(item.split("=", 1) for item in request.env if "=" in item))
        env = opts.environment(base)
        command = [python, "-u", str(pack_dir / "__main__.py"), *request.args]
        proxy = PolicyPackProxy(command, cwd=str(pack_dir), env=env, children=self.children)
        context.add_callback(proxy.close)
        yield from proxy.serve()

    # -- code generation: not here ---------------------------------------------------------------------

    def _unsupported(self, context, what: str):
        context.abort(
            grpc.StatusCode.UNIMPLEMENTED,
            f"{NAME} does not implement {what}; use a machine with Pulumi's own Python language host for it",
        )

    def GenerateProgram(self, request, context):
        self._unsupported(context, "GenerateProgram (`pulumi convert`, program code generation)")

    def GenerateProject(self, request, context):
        self._unsupported(context, "GenerateProject (`pulumi convert`, `pulumi import --out` projects)")

    def GeneratePackage(self, request, context):
        self._unsupported(context, "GeneratePackage (`pulumi package gen-sdk`, `pulumi package add`)")

    def Pack(self, request, context):
        self._unsupported(context, "Pack (packing generated SDKs)")

    def Link(self, request, context):
        self._unsupported(context, "Link (`pulumi package add` of a local SDK)")


def _parameterization(value):
    if not value:
        return None
    # pulumi-plugin.json carries the parameter value base64-encoded, as JSON encodes bytes.
    return plugin_pb2.PackageParameterization(
        name=value["name"], version=value["version"], value=base64.b64decode(value.get("value", ""))
    )


# -- policy packs ----------------------------------------------------------------------------------------


class PolicyPackProxy:
    """Stands in front of a policy pack until the engine says which stack it is analysing.

    The engine starts a pack, handshakes, then calls ConfigureStack with the project, stack, organization
    and config. pulumi-policy reads those from environment variables (PULUMI_PROJECT, PULUMI_STACK,
    PULUMI_CONFIG, ...), so the pack process can only start once they are known: this proxy answers the
    engine on its own port first, starts the pack with that environment on ConfigureStack (or on the first
    other call, with none), then forwards every Analyzer call to it byte for byte.
    """

    SERVICE = "pulumirpc.Analyzer"

    def __init__(self, command: list[str], *, cwd: str, env: dict[str, str], children: Children) -> None:
        self.command, self.cwd, self.env, self.children = command, cwd, env, children
        self.events: "queue.Queue[language_pb2.RunPluginResponse | None]" = queue.Queue()
        self.lock = threading.Lock()
        self.proc: subprocess.Popen | None = None
        self.channel: grpc.Channel | None = None
        self.start_error: str | None = None
        self.handshake: bytes | None = None
        self.closed = threading.Event()
        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=8), options=GRPC_OPTIONS)
        self.server.add_generic_rpc_handlers((_Forwarder(self),))
        self.port = self.server.add_insecure_port("127.0.0.1:0")

    def serve(self) -> Iterator[language_pb2.RunPluginResponse]:
        self.server.start()
        yield language_pb2.RunPluginResponse(stdout=f"{self.port}\n".encode())
        while True:
            event = self.events.get()
            if event is None:
                break
            yield event
        self.close()

    def close(self) -> None:
        if self.closed.is_set():
            return
        self.closed.set()
        if self.proc is not None:
            stop(self.proc)
        if self.channel is not None:
            self.channel.close()
        self.server.stop(grace=None)
        self.events.put(None)

    # -- the pack process ------------------------------------------------------------------------------

    def pack(self, stack: analyzer_pb2.AnalyzerStackConfigureRequest | None) -> grpc.Channel:
        with self.lock:
            if self.channel is not None:
                return self.channel
            if self.start_error is not None:
                raise HostError(self.start_error)
            env = dict(self.env)
            if stack is not None:
                for key, value in (
                    ("PULUMI_PROJECT", stack.project),
                    ("PULUMI_STACK", stack.stack),
                    ("PULUMI_ORGANIZATION", stack.organization),
                ):
                    if value:
                        env[key] = value
                env["PULUMI_DRY_RUN"] = "true" if stack.dry_run else "false"
                env["PULUMI_CONFIG"] = json.dumps(dict(stack.config))
                env["PULUMI_CONFIG_SECRET_KEYS"] = json.dumps(list(stack.config_secret_keys))
            try:
                proc = subprocess.Popen(
                    self.command, cwd=self.cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
                )
            except OSError as exc:
                self.start_error = f"could not start the policy pack with {self.command[0]}: {exc}"
                raise HostError(self.start_error) from None
            self.proc = proc
            self.children.add(proc)
            pumps = [threading.Thread(target=self._pump, args=(proc.stderr, "stderr"), daemon=True)]
            pumps[0].start()
            assert proc.stdout is not None
            first = proc.stdout.readline()
            try:
                port = int(first.strip())
            except ValueError:
                self.events.put(language_pb2.RunPluginResponse(stdout=first))
                code = proc.wait()
                self.start_error = (
                    f"the policy pack in {self.cwd} exited (code {code}) before it started serving; its output "
                    f"is above. It ran with {self.command[0]}, chosen by PulumiPolicy.yaml's virtualenv option, "
                    f"else PULUMI_PYTHON_CMD, else python3 on PATH: that interpreter needs pulumi-policy and "
                    f"whatever else the pack imports"
                )
                raise HostError(self.start_error) from None
            pumps.append(threading.Thread(target=self._pump, args=(proc.stdout, "stdout"), daemon=True))
            pumps[1].start()
            threading.Thread(target=self._wait, args=(proc, pumps), daemon=True).start()
            channel = grpc.insecure_channel(f"127.0.0.1:{port}", options=GRPC_OPTIONS)
            if self.handshake is not None:
                try:
                    self._call(channel, "Handshake", self.handshake)
                except grpc.RpcError as exc:
                    if exc.code() != grpc.StatusCode.UNIMPLEMENTED:
                        raise
            self.channel = channel
            return channel

    def _pump(self, stream, name: str) -> None:
        for line in stream:
            self.events.put(language_pb2.RunPluginResponse(**{name: line}))

    def _wait(self, proc: subprocess.Popen, pumps: list[threading.Thread]) -> None:
        code = proc.wait()
        self.children.discard(proc)
        for pump in pumps:  # everything the pack printed goes out before its exit code
            pump.join(timeout=10)
        self.events.put(language_pb2.RunPluginResponse(exitcode=code if code >= 0 else 128 - code))
        self.events.put(None)

    def _call(self, channel: grpc.Channel, method: str, request: bytes) -> bytes:
        call = channel.unary_unary(f"/{self.SERVICE}/{method}", request_serializer=None, response_deserializer=None)
        return call(request, wait_for_ready=True)


class _Forwarder(grpc.GenericRpcHandler):
    def __init__(self, proxy: PolicyPackProxy) -> None:
        self.proxy = proxy

    def service(self, handler_call_details):
        prefix = f"/{PolicyPackProxy.SERVICE}/"
        if not handler_call_details.method.startswith(prefix):
            return None
        method = handler_call_details.method[len(prefix):]
        return grpc.unary_unary_rpc_method_handler(lambda request, context: self.handle(method, request, context))

    def handle(self, method: str, request: bytes, context) -> bytes:
        proxy = self.proxy
        if method == "Handshake":
            # Remembered and replayed to the pack when it starts; the engine needs nothing back.
            proxy.handshake = request
            return b""
        stack = None
        if method == "ConfigureStack":
            stack = analyzer_pb2.AnalyzerStackConfigureRequest.FromString(request)
        try:
            channel = proxy.pack(stack)
            return proxy._call(channel, method, request)
        except HostError as exc:
            context.abort(grpc.StatusCode.FAILED_PRECONDITION, str(exc))
        except grpc.RpcError as exc:
            if method == "ConfigureStack" and exc.code() == grpc.StatusCode.UNIMPLEMENTED:
                return b""  # packs that predate ConfigureStack still get the stack from the environment
            context.abort(exc.code(), exc.details())


# -- process ---------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pulumi-language-python", description=__doc__.splitlines()[0])
    parser.add_argument("--tracing", help="ignored (the engine passes it to every plugin)")
    parser.add_argument("--logtostderr", action="store_true", help="ignored")
    parser.add_argument("-v", dest="verbose", help="ignored")
    parser.add_argument("--version", action="store_true", help="print the host's version and exit")
    parser.add_argument("engine_address", nargs="?", default="")
    args, _unknown = parser.parse_known_args(argv)
    if args.version:
        print(dist_version("pulumi"))
        return 0

    children = Children()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=16), options=GRPC_OPTIONS)
    language_pb2_grpc.add_LanguageRuntimeServicer_to_server(LanguageHost(args.engine_address, children), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    # The engine reads exactly one line, the port, before it dials.
    sys.stdout.write(f"{port}\n")
    sys.stdout.flush()

    done = threading.Event()

    def shutdown(*_args) -> None:
        done.set()

    signal.signal(signal.SIGINT, shutdown)
    signal.signal(signal.SIGTERM, shutdown)
    # The engine is this process's parent: if it goes away without stopping us, so do we.
    parent = os.getppid()
    while not done.wait(timeout=1.0):
        if os.getppid() != parent:
            break
    children.interrupt_all()
    server.stop(grace=2).wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
