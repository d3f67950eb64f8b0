"""Device kinds. Devices themselves are not managed (they register themselves); what a program sets on
one is named by its uuid, which never changes, so no device kind has a parent that can be renamed."""
