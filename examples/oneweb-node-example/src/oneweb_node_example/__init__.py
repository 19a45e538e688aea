"""An example OneWeb plug-in package: one custom node type, `checksum`."""
