"""JSON Schema of ``exercise.yaml``, checked before any student code runs."""

NUMBER = {"type": "number"}
POSITIVE = {"type": "number", "exclusiveMinimum": 0}

TOLERANCE = {
    "type": "object",
    "properties": {"rtol": {"type": "number", "minimum": 0}, "atol": {"type": "number", "minimum": 0}},
    "required": ["rtol", "atol"],
    "additionalProperties": False,
}

HINT = {
    "type": "object",
    "properties": {
        "when": {"type": "string", "minLength": 1},
        "text": {"type": "string", "minLength": 1},
    },
    "required": ["when", "text"],
    "additionalProperties": False,
}

CHECK = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
        "kind": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
        "points": {"type": "number", "minimum": 0},
        "description": {"type": "string"},
        "hidden": {"type": "boolean"},
        "hints": {"type": "array", "items": HINT},
    },
    "required": ["name", "kind", "points", "description"],
    "additionalProperties": False,
}

EXERCISE = {
    "type": "object",
    "properties": {
        "title": {"type": "string", "minLength": 1},
        "order": {"type": "integer"},
        "module": {"type": "string", "pattern": r"^[A-Za-z_][A-Za-z0-9_]*\.py$"},
        "functions": {"type": "array", "items": {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$"}, "minItems": 1},
        "limits": {
            "type": "object",
            "properties": {
                "call_timeout": POSITIVE,
                "import_timeout": POSITIVE,
                "check_timeout": POSITIVE,
            },
            "additionalProperties": False,
        },
        "hypothesis": {
            "type": "object",
            "properties": {"max_examples": {"type": "integer", "minimum": 1, "maximum": 10000}},
            "additionalProperties": False,
        },
        "tolerances": {"type": "object", "additionalProperties": TOLERANCE},
        "settings": {"type": "object"},
        "checks": {"type": "array", "items": CHECK, "minItems": 1},
    },
    "required": ["title", "module", "functions", "checks"],
    "additionalProperties": False,
}
