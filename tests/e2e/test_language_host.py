"""The Python language host beside the CLI, spoken to directly over its gRPC protocol (no engine).

The engine-driven tests (test_file_*.py, test_team_backend.py) cover Run and RunPlugin as users meet
them; these cover what they cannot reach cheaply: the calls this host does not implement must say so by
name, the interpreter it picks, what it reports about an environment, and `pulumi install`'s
InstallDependencies.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import grpc
import pytest
from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime.proto import language_pb2, language_pb2_grpc

from .projects import ROOT

NAME = "pulumi-language-python (balena-pulumi's stand-in host, tools/pulumi/python-host)"


@pytest.fixture
def host(language_host: Path, tmp_path: Path):
    """A running host with no engine behind it, and a stub to call it."""
    fake = tmp_path / "site"
    (fake / "pulumi_fakecloud").mkdir(parents=True)
    (fake / "pulumi_fakecloud" / "pulumi-plugin.json").write_text('{"resource": true, "name": "fakecloud"}')
    info = fake / "pulumi_fakecloud-1.2.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: pulumi-fakecloud\nVersion: 1.2\n")
    (info / "RECORD").write_text("pulumi_fakecloud/pulumi-plugin.json,,\npulumi_fakecloud-1.2.dist-info/METADATA,,\n")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PULUMI_")},
        "PULUMI_PYTHON_CMD": sys.executable,
        # A provider package (pulumi-plugin.json) visible to the interpreter without a virtualenv.
        "PYTHONPATH": str(fake),
    }
    proc = subprocess.Popen([str(language_host)], stdout=subprocess.PIPE, env=env, text=True)
    try:
        port = int(proc.stdout.readline())
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            yield language_pb2_grpc.LanguageRuntimeStub(channel)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def program(root: Path, **options) -> language_pb2.ProgramInfo:
    opts = struct_pb2.Struct()
    opts.update(options)
    return language_pb2.ProgramInfo(root_directory=str(root), program_directory=str(root), entry_point=".", options=opts)


@pytest.mark.parametrize(
    ("call", "request_", "what"),
    [
        ("GenerateProgram", language_pb2.GenerateProgramRequest(), "GenerateProgram (`pulumi convert`"),
        ("GeneratePackage", language_pb2.GeneratePackageRequest(), "GeneratePackage (`pulumi package gen-sdk`"),
        ("Link", language_pb2.LinkRequest(), "Link (`pulumi package add`"),
    ],
    ids=["GenerateProgram", "GeneratePackage", "Link"],
)
def test_code_generation_calls_fail_naming_the_call_and_the_host(host, call, request_, what):
    with pytest.raises(grpc.RpcError) as failure:
        getattr(host, call)(request_)
    assert failure.value.code() == grpc.StatusCode.UNIMPLEMENTED
    assert failure.value.details().startswith(f"{NAME} does not implement {what}")


def test_plugins_other_than_policy_packs_are_refused_by_name(host, tmp_path):
    request = language_pb2.RunPluginRequest(kind="resource", name="mycomponent", info=program(tmp_path))
    with pytest.raises(grpc.RpcError) as failure:
        list(host.RunPlugin(request))
    assert failure.value.code() == grpc.StatusCode.UNIMPLEMENTED
    assert f"{NAME} runs only policy packs, not Python resource plugins (mycomponent)" in failure.value.details()


def test_an_unsupported_toolchain_fails_the_run_naming_the_option(host, tmp_path):
    response = host.Run(language_pb2.RunRequest(info=program(tmp_path, toolchain="uv"), pwd=str(tmp_path)))
    assert response.error.startswith("Pulumi.yaml sets runtime option toolchain: uv, which this machine's Python")


def test_the_virtualenv_option_picks_the_interpreter_and_a_missing_one_is_named(host, tmp_path):
    (tmp_path / "env").symlink_to(Path(sys.prefix), target_is_directory=True)
    about = host.About(language_pb2.AboutRequest(info=program(tmp_path, virtualenv="env")))
    assert about.executable == str(tmp_path / "env" / "bin" / "python")
    assert about.version == ".".join(map(str, sys.version_info[:3]))

    response = host.Run(language_pb2.RunRequest(info=program(tmp_path, virtualenv="missing"), pwd=str(tmp_path)))
    assert response.error == (
        f"The 'virtualenv' option in Pulumi.yaml is set to 'missing', but {tmp_path / 'missing'} is not a Python "
        "virtual environment (no bin/python). Create it and install the project's dependencies (`pulumi install` "
        "does both for a requirements.txt project), or change the option."
    )


def test_required_packages_are_the_provider_packages_of_the_programs_environment(host):
    # Without a virtualenv option: PULUMI_PYTHON_CMD, this interpreter, sees only the fake provider package.
    packages = host.GetRequiredPackages(language_pb2.GetRequiredPackagesRequest(info=program(ROOT / "examples")))
    assert [(p.name, p.kind, p.version) for p in packages.packages] == [("fakecloud", "resource", "v1.2.0")]
    dependencies = host.GetProgramDependencies(language_pb2.GetProgramDependenciesRequest(info=program(ROOT)))
    names = {d.name.lower(): d.version for d in dependencies.dependencies}
    assert names["pulumi"] == host.GetPluginInfo(empty_pb2.Empty()).version


def test_install_dependencies_creates_the_virtualenv_and_installs_requirements(host, tmp_path):
    (tmp_path / "requirements.txt").write_text("# nothing to fetch: this machine has no index of its own\n")
    stream = host.InstallDependencies(language_pb2.InstallDependenciesRequest(info=program(tmp_path, virtualenv="venv")))
    output = b"".join(r.stdout + r.stderr for r in stream).decode()
    assert f"-m venv {tmp_path / 'venv'}" in output
    assert f"{tmp_path / 'venv' / 'bin' / 'python'} -m pip install -r {tmp_path / 'requirements.txt'}" in output
    assert (tmp_path / "venv" / "bin" / "python").exists()

    again = b"".join(r.stdout for r in host.InstallDependencies(
        language_pb2.InstallDependenciesRequest(info=program(tmp_path, virtualenv="venv"))
    )).decode()
    assert "-m venv" not in again  # the virtualenv exists: only the requirements are installed again
