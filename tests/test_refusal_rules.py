"""The 拒执 rules as they read in the law (拒执解释 2024), one test per rule, named by its article."""

from __future__ import annotations

from domain.refusal import private_prosecution_open, private_prosecution_problem


def test_art_14_para_2_private_prosecution_only_after_police_or_procuratorate_declined_the_complaint() -> None:
    assert private_prosecution_open(police_declined=True, procuratorate_declined=False)
    assert private_prosecution_open(police_declined=False, procuratorate_declined=True)
    assert not private_prosecution_open(police_declined=False, procuratorate_declined=False)
    assert private_prosecution_problem("police", "杭公 不立〔2026〕3号") is None
    assert private_prosecution_problem("procuratorate", "杭检 不诉〔2026〕1号") is None
    no_body = private_prosecution_problem(None, "杭公 不立〔2026〕3号") or ""
    assert no_body.startswith("complaint_declined_by") and "第十四条第二款" in no_body
    assert (private_prosecution_problem("police", " ") or "").startswith("declined_by")
