"""deployments/cloud.env as scripts/build_and_push.sh writes it for the stub cloud's outputs."""

from __future__ import annotations

from tests.support.hcl import REPO
from tests.support.stubs import AWS_OUTPUTS

REPOSITORY = AWS_OUTPUTS["ecr_repository_url"]
REGISTRY = REPOSITORY.split("/")[0]
SHA = "0123456789ab"

KEYS_FILE = REPO / "deployments" / "cloud-env.keys"


def cloud_env_keys() -> dict[str, str]:
    """KEY -> infra/aws output, as deployments/cloud-env.keys lists them."""
    pairs = {}
    for line in KEYS_FILE.read_text().splitlines():
        entry = line.split("#", 1)[0].strip()
        if entry:
            key, output = entry.split("=")
            pairs[key] = output
    return pairs


def _cloud_env_value(value: object) -> str:
    return ",".join(value) if isinstance(value, list) else str(value)


# What build_and_push.sh must write for the stub cloud: every listed key from its output.
EXPECTED_ENV = {
    "GMP_IMAGE_URI": f"{REPOSITORY}:{SHA}",
    **{key: _cloud_env_value(AWS_OUTPUTS[output]) for key, output in cloud_env_keys().items()},
}
