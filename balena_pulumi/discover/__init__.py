"""``balena-pulumi discover``: a live organization turned into reviewed code (docs/adopt.md).

``inventory`` (in the client) reads it, :mod:`.snapshot` turns it into the root program's config,
:mod:`.plan` runs the program on that config under mocks to learn its resources, :mod:`.adopt` gives each
the import id that adopts its object, :mod:`.render` writes the YAML or the Python program, and
:mod:`.command` is the command line around them.
"""
