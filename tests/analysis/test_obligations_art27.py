"""Art. 27 (fundamental-rights impact assessment) for private deployers in essential services."""

from __future__ import annotations

from pathlib import Path

import pytest

from aisec.analysis.obligations import obligations
from aisec.system import load_system
from aisec.system.schema import AISystem, Regulatory

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "aisec" / "examples"


def _deployer(credit: bool | None) -> AISystem:
    base = load_system(EXAMPLES / "fraud-classifier.yaml")
    reg = Regulatory(
        eu_ai_act_role="deployer",
        annex_iii_area="essential-services",
        credit_or_insurance_pricing=credit,
    )
    return base.model_copy(update={"regulatory": reg})


@pytest.mark.parametrize(
    ("credit", "expected"), [(None, "to-confirm"), (True, "applies"), (False, None)]
)
def test_art27_follows_the_credit_or_insurance_fact(
    credit: bool | None, expected: str | None
) -> None:
    result = obligations(_deployer(credit))
    art27 = [o for o in result.obligations if o.article.endswith("Art.27")]
    if expected is None:
        assert not art27
        assert any(n.article.endswith("Art.27") for n in result.not_triggered)
    else:
        (o,) = art27
        assert o.applicability.value == expected
