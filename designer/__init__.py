"""Design time: microflow definitions and their versions, validation, import/export, the editors."""
