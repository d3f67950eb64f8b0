"""POST/PATCH/DELETE semantics, coercion, validation messages and uniqueness 409s."""

import pytest

from .helpers import session


def test_post_is_201_with_full_entity_and_location(clean_sandbox):
    r = session(clean_sandbox).post("/v7/application_environment_variable",
                                    {"application": 1, "name": "FOO", "value": "bar", "bogus": 1})
    assert r.status_code == 201
    body = r.json()
    assert body["application"] == {"__id": 1} and body["name"] == "FOO" and "created_at" in body
    assert "bogus" not in body
    assert r.headers["Location"] == f"/v7/application_environment_variable(@id)?@id={body['id']}"


def test_patch_with_empty_body_is_400_no_fields_to_update(sandbox):
    r = session(sandbox).patch("/v7/application(1)", {})
    assert r.status_code == 400 and r.json() == "No fields to update"


def test_patch_with_only_ignored_keys_is_500_empty(sandbox):
    r = session(sandbox).patch("/v7/application(1)", {"not_a_field": 1})
    assert r.status_code == 500 and r.content == b""


def test_patch_and_delete_matching_nothing_are_200_empty_without_content_type(clean_sandbox):
    api = session(clean_sandbox)
    for r in (api.patch("/v7/device(9999)", {"note": "x"}), api.delete("/v7/device_tag(9999)")):
        assert r.status_code == 200 and r.content == b"" and "Content-Type" not in r.headers


def test_keyed_delete_of_a_missing_application_is_404(sandbox):
    r = session(sandbox).delete("/v7/application(9999)")
    assert r.status_code == 404 and r.json() == "Application(s) not found."
    r = session(sandbox).delete("/v7/application(slug='acme/nope')")
    assert r.status_code == 404


def test_string_false_for_a_boolean_is_400_with_empty_body(sandbox):
    r = session(sandbox).patch("/v7/application(1)", {"is_archived": "false"})
    assert r.status_code == 400 and r.content == b""


@pytest.mark.parametrize("value", [False, 0, "0"])
def test_boolean_accepts_json_bool_and_0_1(clean_sandbox, value):
    api = session(clean_sandbox)
    assert api.patch("/v7/application(1)", {"is_archived": value}).status_code == 200


def test_integer_fields_use_parseint(clean_sandbox):
    api = session(clean_sandbox)
    r = api.post("/v7/application_tag", {"application": "1abc", "tag_key": "k", "value": "v"})
    assert r.status_code == 201 and r.json()["application"] == {"__id": 1}
    r = api.post("/v7/application_tag", {"application": "abc", "tag_key": "k2", "value": "v"})
    assert r.status_code == 400 and r.json() == '"application" is not a number: abc'


def test_short_text_over_255_is_400(clean_sandbox):
    r = session(clean_sandbox).patch("/v7/device(1)", {"device_name": "x" * 256})
    assert r.status_code == 400 and r.json() == '"device_name" longer than 255 characters (256)'
    r = session(clean_sandbox).patch("/v7/device(1)", {"device_name": 5})
    assert r.status_code == 400 and r.json() == '"device_name" is not a string: 5'


def test_missing_required_field_on_post_is_500_empty(clean_sandbox):
    r = session(clean_sandbox).post("/v7/application_tag", {"application": 1, "tag_key": "k"})
    assert r.status_code == 500 and r.content == b""


def test_null_for_required_field_is_400_cannot_be_null(clean_sandbox):
    session(clean_sandbox).post("/v7/application_tag", {"application": 1, "tag_key": "k", "value": "v"})
    r = session(clean_sandbox).patch("/v7/application_tag(application=1,tag_key='k')", {"value": None})
    assert r.status_code == 400 and r.json() == '"value" cannot be null'


def test_body_over_512kb_is_rejected(sandbox):
    r = session(sandbox).post("/v7/application_tag", {"application": 1, "tag_key": "k", "value": "x" * 3_000_000})
    assert r.status_code == 413


UNIQUE_CASES = [
    ("application_environment_variable", {"application": 1, "name": "A", "value": "1"},
     '"application" and "name" must be unique.'),
    ("application_config_variable", {"application": 1, "name": "BALENA_X", "value": "1"},
     '"application" and "name" must be unique.'),
    ("build_environment_variable", {"application": 1, "name": "A", "value": "1"},
     '"application" and "name" must be unique.'),
    ("service_environment_variable", {"service": 1, "name": "A", "value": "1"},
     '"service" and "name" must be unique.'),
    ("device_environment_variable", {"device": 1, "name": "A", "value": "1"}, '"device" and "name" must be unique.'),
    ("device_config_variable", {"device": 1, "name": "RESIN_A", "value": "1"}, '"device" and "name" must be unique.'),
    ("device_service_environment_variable", {"service_install": 1, "name": "A", "value": "1"},
     '"device" and "service" and "name" must be unique.'),
    ("application_tag", {"application": 1, "tag_key": "k", "value": ""}, '"application" and "tag_key" must be unique.'),
    ("device_tag", {"device": 1, "tag_key": "k", "value": ""}, '"device" and "tag_key" must be unique.'),
    ("release_tag", {"release": 1, "tag_key": "k", "value": ""}, '"release" and "tag_key" must be unique.'),
    ("service", {"application": 1, "service_name": "main"}, '"application" and "service_name" must be unique.'),
]


@pytest.mark.parametrize("resource,body,message", UNIQUE_CASES, ids=[c[0] for c in UNIQUE_CASES])
def test_duplicate_natural_key_is_a_409_naming_the_unique_columns(clean_sandbox, resource, body, message):
    api = session(clean_sandbox)
    if resource != "service":
        assert api.post(f"/v7/{resource}", body).status_code == 201
    r = api.post(f"/v7/{resource}", body)
    assert r.status_code == 409 and r.json() == message


def test_duplicate_fleet_name_differing_only_in_case_is_a_slug_409(clean_sandbox):
    r = session(clean_sandbox).post("/v7/application", {"app_name": "Production", "organization": 1,
                                                        "is_for__device_type": 1})
    assert r.status_code == 409 and r.json() == '"slug" must be unique.'


def test_duplicate_public_key_is_409(clean_sandbox):
    api = session(clean_sandbox)
    body = {"user": 1, "public_key": "ssh-ed25519 AAAA", "title": "laptop"}
    assert api.post("/v7/user__has__public_key", body).status_code == 201
    r = api.post("/v7/user_public_key", body)
    assert r.status_code == 409 and r.json() == '"user" and "public_key" must be unique.'


ENV_NAME_CASES = [
    ("1ABC", "Environment variable names can only contain alphanumeric characters and underscores."),
    ("A-B", "Environment variable names can only contain alphanumeric characters and underscores."),
    ("A.B", "Environment variable names can only contain alphanumeric characters and underscores."),
    ("BALENA", "Environment variables RESIN, BALENA, USER are reserved"),
    ("USER", "Environment variables RESIN, BALENA, USER are reserved"),
    ("BALENA_X", "Environment variables beginning with RESIN_, BALENA_ are reserved."),
    ("RESIN_X", "Environment variables beginning with RESIN_, BALENA_ are reserved."),
]


@pytest.mark.parametrize("resource,parent", [("application_environment_variable", "application"),
                                             ("device_environment_variable", "device"),
                                             ("service_environment_variable", "service"),
                                             ("build_environment_variable", "application"),
                                             ("device_service_environment_variable", "service_install")])
@pytest.mark.parametrize("name,message", ENV_NAME_CASES)
def test_env_var_name_rules(clean_sandbox, resource, parent, name, message):
    r = session(clean_sandbox).post(f"/v7/{resource}", {parent: 1, "name": name, "value": "v"})
    assert r.status_code == 400 and r.json() == message


def test_env_var_names_allow_lowercase_balena_prefix(clean_sandbox):
    r = session(clean_sandbox).post("/v7/application_environment_variable",
                                    {"application": 1, "name": "balena_x", "value": "v"})
    assert r.status_code == 201


CONFIG_NAME_CASES = [
    ("FOO", "Configuration variables must be part of one of the following namespaces: RESIN_, BALENA_"),
    (":BALENA_X", "Configuration variable names can only contain alphanumeric characters, underscores or a colon"),
    ("BALENA-X", "Configuration variable names can only contain alphanumeric characters, underscores or a colon"),
    ("RESIN", "Configuration variables RESIN, BALENA, USER are reserved"),
]


@pytest.mark.parametrize("resource,parent", [("application_config_variable", "application"),
                                             ("device_config_variable", "device")])
@pytest.mark.parametrize("name,message", CONFIG_NAME_CASES)
def test_config_var_name_rules(clean_sandbox, resource, parent, name, message):
    r = session(clean_sandbox).post(f"/v7/{resource}", {parent: 1, "name": name, "value": "v"})
    assert r.status_code == 400 and r.json() == message


def test_config_var_names_allow_colons_after_the_first_char(clean_sandbox):
    r = session(clean_sandbox).post("/v7/application_config_variable",
                                    {"application": 1, "name": "BALENA_HOST_CONFIG_dtoverlay:x", "value": "v"})
    assert r.status_code == 201


def test_variable_values_reject_newlines_and_overlong_values(clean_sandbox):
    api = session(clean_sandbox)
    r = api.post("/v7/device_environment_variable", {"device": 1, "name": "A", "value": "a\nb"})
    assert r.status_code == 400 and r.json() == "Variable values cannot contain line break characters"
    r = api.post("/v7/device_environment_variable", {"device": 1, "name": "A", "value": "x" * 100001})
    assert r.status_code == 400
    assert r.json() == ("It is necessary that each device environment variable has a value that has a Length (Type) "
                        "that is less than or equal to 100000.")
    assert api.post("/v7/device_environment_variable", {"device": 1, "name": "A", "value": ""}).status_code == 201


TAG_CASES = [
    ("application_tag", "application", "a b", "Tag keys cannot contain whitespace."),
    ("device_tag", "device", "io.balena.x", "Tag keys beginning with io.balena. are reserved."),
    ("release_tag", "release", "io.resin.x", "Tag keys beginning with io.resin. are reserved."),
    ("application_tag", "application", "",
     "It is necessary that each application tag has a tag key that has a Length (Type) that is greater than 0 and "
     "is less than or equal to 100."),
    ("device_tag", "device", "k" * 101,
     "It is necessary that each device tag has a tag key that has a Length (Type) that is greater than 0 and is "
     "less than or equal to 100."),
    ("release_tag", "release", "k" * 165,
     "It is necessary that each release tag has a tag key that has a Length (Type) that is greater than 0 and is "
     "less than or equal to 164."),
]


@pytest.mark.parametrize("resource,parent,key,message", TAG_CASES)
def test_tag_key_rules(clean_sandbox, resource, parent, key, message):
    r = session(clean_sandbox).post(f"/v7/{resource}", {parent: 1, "tag_key": key, "value": "v"})
    assert r.status_code == 400 and r.json() == message


def test_release_tag_keys_may_be_164_long_and_device_tag_values_10000(clean_sandbox):
    api = session(clean_sandbox)
    assert api.post("/v7/release_tag", {"release": 1, "tag_key": "k" * 164, "value": "v"}).status_code == 201
    assert api.post("/v7/device_tag", {"device": 1, "tag_key": "k", "value": "v" * 10000}).status_code == 201
    r = api.post("/v7/device_tag", {"device": 1, "tag_key": "k2", "value": "v" * 10001})
    assert r.status_code == 400 and "less than or equal to 10000" in r.json()
    r = api.post("/v7/application_tag", {"application": 1, "tag_key": "k", "value": "v" * 1001})
    assert r.status_code == 400 and "less than or equal to 1000." in r.json()


def test_post_to_a_missing_parent_is_401_empty(clean_sandbox):
    r = session(clean_sandbox).post("/v7/application_tag", {"application": 999, "tag_key": "k", "value": "v"})
    assert r.status_code == 401 and r.content == b""


def test_concurrent_duplicate_posts_give_one_201_and_409s(clean_sandbox):
    from concurrent.futures import ThreadPoolExecutor

    def post(_):
        return session(clean_sandbox).post("/v7/application_environment_variable",
                                           {"application": 1, "name": "RACE", "value": "v"}).status_code

    with ThreadPoolExecutor(8) as pool:
        codes = sorted(pool.map(post, range(16)))
    assert codes == [201] + [409] * 15


def test_alternate_keys_outside_the_reference_table_are_500(sandbox):
    for path in ("/v7/device_type_alias(is_referenced_by__alias='nuc')", "/v7/application_type(slug='microservices')",
                 "/v7/device(device_name='production-1')"):
        r = session(sandbox).get(path)
        assert r.status_code == 500 and r.content == b"", path


def test_patch_validation_applies_even_when_no_row_matches(sandbox):
    r = session(sandbox).patch("/v7/application_environment_variable?$filter=name eq 'NONE'", {"name": "1BAD"})
    assert r.status_code == 400
    assert r.json() == "Environment variable names can only contain alphanumeric characters and underscores."
    r = session(sandbox).patch("/v7/device_tag(9999)", {"tag_key": "a b"})
    assert r.status_code == 400 and r.json() == "Tag keys cannot contain whitespace."
