"""Which services a device gets a ``service_install`` for: those of the release it should run.

As open-balena-api does it (ci-cd/hooks/service-installs): a release's services are the services its
images are builds of (image -> is a build of -> service; release -> contains -> image). Installs are
added, never removed, when that release changes:

- a device registered in a fleet gets the services of the fleet's target release, and a device registered
  pinned also those of its pin;
- a fleet target change (a PATCH, or track-latest when a new release lands) reaches the fleet's unpinned
  devices;
- pinning a device adds its pin's services; unpinning adds the fleet target's;
- moving a device drops the installs of its old fleet's services (their device service variables go with
  them) and adds the new fleet target's.
"""

from __future__ import annotations

_RELEASE_SERVICES = ("SELECT DISTINCT i.is_a_build_of__service AS svc FROM image i JOIN image__is_part_of__release ipr "
                     "ON ipr.image = i.id WHERE ipr.is_part_of__release = ?")


def _marks(ids) -> str:
    return ",".join("?" * len(ids))


def _install(ctx, release_id, device_where: str, params) -> None:
    """Install the services of ``release_id`` on the devices matching ``device_where`` (those missing)."""
    if release_id is None:
        return
    ctx.conn.execute(
        "INSERT OR IGNORE INTO service_install (device, installs__service) "
        f"SELECT d.id, s.svc FROM device d, ({_RELEASE_SERVICES}) s WHERE {device_where} ORDER BY d.id, s.svc",
        [release_id, *params])


def for_release(ctx, device_ids, release_id) -> None:
    if device_ids:
        _install(ctx, release_id, f"d.id IN ({_marks(device_ids)})", list(device_ids))


def for_fleet_target(ctx, app_id, device_ids) -> None:
    row = ctx.one("SELECT should_be_running__release AS r FROM application WHERE id = ?", (app_id,))
    if row is not None:
        for_release(ctx, device_ids, row["r"])


def device_registered(ctx, device_id, values) -> None:
    if values.get("belongs_to__application") is not None:
        for_fleet_target(ctx, values["belongs_to__application"], [device_id])
    if values.get("is_pinned_on__release") is not None:
        for_release(ctx, [device_id], values["is_pinned_on__release"])


def fleet_target_set(ctx, app_ids, release_id) -> None:
    """A fleet's target became ``release_id``: its unpinned devices get that release's services."""
    if app_ids:
        _install(ctx, release_id, f"d.belongs_to__application IN ({_marks(app_ids)}) AND "
                                  "d.is_pinned_on__release IS NULL", list(app_ids))


def devices_leaving_fleet(ctx, device_ids, new_app_id) -> None:
    """Before a move: drop installs of the services of the fleets the devices are leaving."""
    ctx.conn.execute(
        f"DELETE FROM service_install WHERE device IN ({_marks(device_ids)}) AND installs__service IN "
        "(SELECT s.id FROM service s WHERE s.application IS NOT ? AND s.application IN "
        f"(SELECT d.belongs_to__application FROM device d WHERE d.id IN ({_marks(device_ids)})))",
        [*device_ids, new_app_id, *device_ids])


def devices_moved(ctx, device_ids, new_app_id) -> None:
    for_fleet_target(ctx, new_app_id, device_ids)


def devices_pinned(ctx, device_ids, release_id) -> None:
    """A pin set (``release_id``) or cleared (None, back to each device's fleet target)."""
    if release_id is not None:
        for_release(ctx, device_ids, release_id)
        return
    by_app: dict[int, list[int]] = {}
    for did, app in ctx.conn.execute(
            f"SELECT id, belongs_to__application FROM device WHERE id IN ({_marks(device_ids)})",
            list(device_ids)).fetchall():
        if app is not None:
            by_app.setdefault(app, []).append(did)
    for app, ids in by_app.items():
        for_fleet_target(ctx, app, ids)
