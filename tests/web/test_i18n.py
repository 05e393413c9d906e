"""The UI's chrome words (``web/ui/i18n.py``): both languages say the same things, and a scenario's own words
stay in its folder's ``words.py`` instead of being copied into the chrome."""

from __future__ import annotations

from web.ui.i18n import LANGS, MESSAGES, Translator, scenario_words


def test_chinese_and_english_have_the_same_keys() -> None:
    zh, en = set(MESSAGES["zh"]), set(MESSAGES["en"])
    assert set(MESSAGES) == set(LANGS)
    assert not zh - en, f"only in Chinese: {sorted(zh - en)}"
    assert not en - zh, f"only in English: {sorted(en - zh)}"
    empty = [f"{lang}:{key}" for lang in LANGS for key, text in MESSAGES[lang].items() if not text.strip()]
    assert not empty, empty


def test_the_chrome_repeats_no_scenario_word() -> None:
    """A word a scenario's catalogue already says the same way belongs to the scenario alone; the chrome
    keeps only what no scenario says, or says differently for pages that name no scenario."""
    scenarios = scenario_words("zh")
    copied = sorted(key for key, text in MESSAGES["zh"].items() if scenarios.get(key) == text)
    assert not copied, f"scenario words copied into the chrome: {copied}"


def test_a_scenario_word_still_shows_in_both_languages() -> None:
    """What the chrome gave up is found in the scenarios' catalogues, in either language."""
    zh, en = Translator("zh"), Translator("en")
    assert zh.word("status", "freezing") == "冻结中" and en.word("status", "freezing") == "Freezing"
    assert zh.word("action", "task_assigned") == "交办事项" and en.word("action", "task_assigned") == "Task assigned"
    assert en("tstatus.RUNNING") == "Running" and zh("tstatus.RUNNING") == "运行中"
