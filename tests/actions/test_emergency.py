"""The first emergency instruction fits the emergency."""

from __future__ import annotations

import pytest

from actions.emergency import first_instruction


@pytest.mark.parametrize(
    ("text", "number"),
    [("我妈摔倒了起不来", "120"), ("老伴胸口疼得厉害", "120"), ("我爸走丢了找不到了", "110"),
     ("厨房着火了", "119"), ("救命", "120")],
)  # fmt: skip
def test_first_instruction_names_the_right_number_first(text: str, number: str) -> None:
    instruction = first_instruction(text)
    assert instruction.startswith("请马上")
    assert number in instruction
