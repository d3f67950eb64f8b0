"""The provider host changes one request only: an `import_` Read of a balena type."""

from __future__ import annotations

import base64

import dill
from pulumi.runtime.proto import provider_pb2

from balena_pulumi.provider_host import ImportingServicer, resource_type
from balena_pulumi.resources.fleets.fleet import FleetProvider

FLEET_URN = "urn:pulumi:dev::org::pulumi-python:dynamic/balena:Fleet::gateways"


class Recorder:
    def __init__(self, response_id: str = "7") -> None:
        self.requests: list = []
        self.response_id = response_id

    def Read(self, request, context):  # noqa: N802
        self.requests.append(request)
        response = provider_pb2.ReadResponse(id=self.response_id)
        response.properties["__provider"] = "blob"
        return response

    def Create(self, request, context):  # noqa: N802
        return "created"


def test_resource_type_is_the_last_component_of_the_qualified_type():
    assert resource_type(FLEET_URN) == "pulumi-python:dynamic/balena:Fleet"
    nested = "urn:pulumi:dev::org::my:Component$pulumi-python:dynamic/balena:FleetTag::owner"
    assert resource_type(nested) == "pulumi-python:dynamic/balena:FleetTag"
    assert resource_type("not-a-urn") == ""


def test_an_import_read_of_a_balena_type_carries_that_kinds_provider():
    inner = Recorder()
    ImportingServicer(inner).Read(provider_pb2.ReadRequest(id="acme/gateways", urn=FLEET_URN), None)
    [sent] = inner.requests
    provider = dill.loads(base64.b64decode(sent.properties["__provider"]))
    assert type(provider) is FleetProvider
    assert sent.id == "acme/gateways" and sent.urn == FLEET_URN


def test_a_refresh_read_and_other_types_pass_through_unchanged():
    inner = Recorder()
    host = ImportingServicer(inner)
    refresh = provider_pb2.ReadRequest(id="7", urn=FLEET_URN)
    refresh.properties["__provider"] = "their-own-blob"
    host.Read(refresh, None)
    other = provider_pb2.ReadRequest(id="x", urn="urn:pulumi:dev::org::pulumi-python:dynamic:Resource::thing")
    host.Read(other, None)
    assert inner.requests == [refresh, other]
    assert host.Create(None, None) == "created"


def test_an_import_of_a_missing_object_answers_with_no_properties_so_the_engine_says_it_does_not_exist():
    response = ImportingServicer(Recorder(response_id="")).Read(
        provider_pb2.ReadRequest(id="acme/gone", urn=FLEET_URN), None
    )
    assert response.id == "" and not response.properties.fields
