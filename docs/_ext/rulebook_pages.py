"""The rule reference, generated from ``rules/`` (and the cases of ``tests/cases/``).

Nothing in these pages is written by hand: every rule's id, titles, citation, period
in force, outcome, exceptions, conditions in words and data come from the rule files
as the library loads them (``Law.load``), worded by ``hokensho_rules.render.rules``;
the cases that check a rule come from ``tests/cases/*.yaml``. Run by the Sphinx build
(``builder-inited``), or alone to look at the Markdown::

    python docs/_ext/rulebook_pages.py /tmp/rules-md

One page per rule file: a seed file is a document or topic (paper card, certificate,
counter, …), an amendment pack is one later official change. Beside them: the rule
index (Part A and B ids, interpretations, rulings), the sources with their sections,
the questions, and the parameters with their dated values.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from hokensho_rules.render.rules import describe_condition, describe_expr, describe_in_force, param_value, rule_title_in_law
from hokensho_rules.render.words import datum_label, outcome_label, question_title, show_date, text
from hokensho_rules.law.packs import Law
from hokensho_rules.law.settings import accepts
from hokensho_rules.law.loader import available_packs, read_rule_file, read_yaml, rules_dir
from hokensho_rules.law.schema import (
    AnyOf,
    Compare,
    Condition,
    FactRef,
    ParamRef,
    Rule,
    Setting,
    Source,
    sub_exprs,
    expr_counts,
)

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "tests" / "cases"
# Where the pages go, inside the docs source tree (git-ignored: they are built, not kept).
OUT = "rules"


@dataclass(frozen=True)
class Case:
    """A case of ``tests/cases``, as the reference cites it."""

    file: str
    name: str
    on: date | None
    packs: tuple[str, ...]
    source: tuple[str, ...]
    rules: tuple[str, ...]

    def line(self) -> str:
        on = f", on {self.on.isoformat()}" if self.on else ""
        packs = f", with {', '.join(self.packs)}" if self.packs else ""
        return f"`tests/cases/{self.file}`: {_md(self.name)}{on}{packs}"


def read_cases(folder: Path = CASES) -> list[Case]:
    """Every case: the rule ids its expectations name and the ids its ``source`` lists."""
    found = []
    for path in sorted(folder.glob("*.yaml")):
        for raw in read_yaml(path).get("cases", []):
            rules: list[str] = []
            for expected in (raw.get("expect") or {}).values():
                named = expected.get("rule")
                rules.extend([named] if isinstance(named, str) else list(named or ()))
            found.append(Case(path.name, raw["name"], raw.get("on"), tuple(raw.get("packs") or ()),
                              tuple(str(s) for s in raw.get("source") or ()), tuple(rules)))
    return found


def _md(value: str) -> str:
    """Text safe inside a Markdown table cell or a line."""
    return value.replace("\\", "\\\\").replace("|", "\\|").replace("*", "\\*").replace("\n", " ")


def rule_label(rule_id: str) -> str:
    """The cross-reference label of a rule (``PC-4.lost`` → ``rule-pc-4-lost``)."""
    return "rule-" + rule_id.lower().replace(".", "-").replace("_", "-")


def index_label(index_id: str) -> str:
    """The label of an id of the rule index (``X-3`` → ``index-x-3``)."""
    return "index-" + index_id.lower()


def source_label(source: str, position: int | None = None) -> str:
    """The label of a source, or of its ``position``-th declared section (sections may be ``§4①``)."""
    base = "source-" + source.lower().replace("_", "-")
    return base if position is None else f"{base}-s{position}"


def page_of(path: Path) -> str:
    """The page name of a rule file: ``paper_card`` for the seed's, the pack's name for an amendment
    (the file's stem either way; :class:`Reference` refuses two files of one name)."""
    return path.stem


def _ref(label: str, shown: str) -> str:
    return f"[{shown}](#{label})"


def _rule_ref(rule_id: str) -> str:
    return _ref(rule_label(rule_id), rule_id)


def _citation(rule_or_param: Any, law: Law) -> str:
    citation = rule_or_param.citation
    source = law.sources[citation.source]
    keys = list(source.sections)
    parts = [_ref(source_label(citation.source), _md(text(source.title, "ja")))]
    sections = []
    for section, key in zip(citation.sections, citation.section_keys(), strict=True):
        if source.index and key in source.sections:
            sections.append(_ref(index_label(key), _md(section)))
        elif key in source.sections:
            sections.append(_ref(source_label(citation.source, keys.index(key)), _md(section)))
        else:  # a source that declares no sections cites free text
            sections.append(_md(section))
    return parts[0] + (" " + ", ".join(sections) if sections else "")


def _params_named(rule: Rule) -> list[str]:
    """The parameters a rule reads, in its period, conditions and data."""
    found: list[str] = []

    def add(name: str) -> None:
        if name not in found:
            found.append(name)

    for bound in (rule.in_force.from_, rule.in_force.after, rule.in_force.until, rule.in_force.before):
        if isinstance(bound, ParamRef):
            add(bound.param)

    def condition(c: Condition) -> None:
        if isinstance(c, AnyOf):
            for inner in c.any:
                condition(inner)
        elif isinstance(c, Compare) and isinstance(c.operand, ParamRef):
            add(c.operand.param)
        elif isinstance(c, Setting):
            add(c.setting)

    for c in rule.when:
        condition(c)

    def expr(e: Any) -> None:
        if isinstance(e, ParamRef):
            add(e.param)
        for _, count in expr_counts(e):
            if isinstance(count, ParamRef):
                add(count.param)
        for _, inner in sub_exprs(e):
            expr(inner)

    for e in rule.data.values():
        expr(e)
    return found


def _facts_read(rule: Rule) -> list[str]:
    found: list[str] = []

    def condition(c: Condition) -> None:
        if isinstance(c, AnyOf):
            for inner in c.any:
                condition(inner)
        elif hasattr(c, "fact"):
            name = getattr(c, "fact")
            if name not in found:
                found.append(name)
            if isinstance(c, Compare) and isinstance(c.operand, FactRef) and c.operand.fact not in found:
                found.append(c.operand.fact)

    for c in rule.when:
        condition(c)
    return found


class Reference:
    """The whole rule reference of the shipped rules: every page's Markdown by name."""

    def __init__(self, law: Law | None = None, cases: list[Case] | None = None):
        self.law = law or Law.load()
        self.seed = Law.load(["seed"], root=self.law.root)
        self.cases = cases if cases is not None else read_cases()
        self.by_rule: dict[str, list[Case]] = defaultdict(list)
        self.citing: dict[str, list[Case]] = defaultdict(list)
        for case in self.cases:
            for rule_id in dict.fromkeys(case.rules):
                self.by_rule[rule_id].append(case)
            for cited in dict.fromkeys(case.source):
                self.citing[cited].append(case)
        # The rules each rule is set aside by (the reverse of ``overrides``, as written).
        self.set_aside_by: dict[str, list[str]] = defaultdict(list)
        self.refined_by: dict[str, list[str]] = defaultdict(list)
        for rule in self.written_rules().values():
            for target in rule.overrides:
                self.set_aside_by[target].append(rule.id)
            for target in rule.refines:
                self.refined_by[target].append(rule.id)
        self.page: dict[str, str] = {rid: page_of(path) for rid, path in self.law.origin.items()}
        names = [page_of(p) for p in self.files()]
        if len(names) != len(set(names)):
            raise ValueError(f"two rule files would share a reference page: {sorted(names)}")

    def written_rules(self) -> Mapping[str, Rule]:
        """Every rule as its file writes it (``Law.rules`` adds the exceptions refinements inherit)."""
        written: dict[str, Rule] = {}
        for path in self.files():
            for rule in read_rule_file(path).rules:
                written[rule.id] = rule
        return written

    def files(self) -> list[Path]:
        return sorted(set(self.law.origin.values()), key=lambda p: (p.parent.name != "seed", p.name))

    def link(self, rule_id: str, here: str) -> str:
        # Labels are global in Sphinx: "#label" finds a target on any page.
        return f"[{rule_id}](#{rule_label(rule_id)})"

    # --- pages -------------------------------------------------------------------------

    def pages(self) -> dict[str, str]:
        """Page name → Markdown, every page of the reference."""
        pages = {"index": self.index_page(), "rule-index": self.rule_index_page(), "sources": self.sources_page(),
                 "questions": self.questions_page(), "parameters": self.parameters_page()}
        for path in self.files():
            pages[page_of(path)] = self.rule_page(path)
        return pages

    def index_page(self) -> str:
        seed = [p for p in self.files() if p.parent.name == "seed"]
        packs = [p for p in self.files() if p.parent.name != "seed"]
        lines = [
            "# Rule reference",
            "",
            "Generated from the rule files of `rules/` at every build of these pages: nothing here is",
            "written by hand. Each rule gives its id, its Japanese and English title, its citation",
            "(resolved to the source's declared section), the period it is in force, its outcome and",
            "data, the exceptions (`overrides`: rules it sets aside; `refines`: a rule it replaces",
            "with the same answer), its conditions in words, and the cases of `tests/cases/` that",
            "check it.",
            "",
            "Legal dates are shown with the parameter that holds them (dated values, each with the",
            "day it applies from): the rules quote parameters, never dates.",
            "",
            "## The seed document, by document and topic",
            "",
        ]
        for path in seed:
            rules = [r for r, p in self.law.origin.items() if p == path]
            lines.append(f"- [{_md(text(read_rule_file(path).title, 'ja'))} — {_md(text(read_rule_file(path).title, 'en'))}]"
                         f"({page_of(path)}.md) ({len(rules)} rules)")
        lines += ["", "## Later official changes (amendment packs)", ""]
        for path in packs:
            rules = [r for r, p in self.law.origin.items() if p == path]
            lines.append(f"- [{_md(text(read_rule_file(path).title, 'en'))}]({page_of(path)}.md) "
                         f"(`{path.stem}`, {len(rules)} rules)")
        lines += ["", "## Not confirmed", "",
                  "Readings the project holds with less than high confidence (each rule page says which of its",
                  "rules and parameters they are; an insurer may set the parameters marked so):", ""]
        lines += [f"- {item}" for item in unconfirmed(self.law)]
        lines += ["", "## Beside the rules", "",
                  "- [The rule index: Part A and B, interpretations and rulings](rule-index.md)",
                  "- [Questions and their outcomes](questions.md)",
                  "- [Parameters: legal dates and periods in force by date](parameters.md)",
                  "- [Sources and their sections](sources.md)", "",
                  "```{toctree}", ":hidden:", "", *[page_of(p) for p in seed + packs],
                  "rule-index", "questions", "parameters", "sources", "```", ""]
        return "\n".join(lines)

    def rule_page(self, path: Path) -> str:
        here = page_of(path)
        rule_file = read_rule_file(path)
        written = {r.id: r for r in rule_file.rules}
        pack = "seed" if path.parent.name == "seed" else path.stem
        lines = [f"# {_md(text(rule_file.title, 'ja'))}", "", f"*{_md(text(rule_file.title, 'en'))}*", "",
                 f"File `rules/{path.parent.name}/{path.name}`, pack `{pack}`"
                 + ("" if pack == "seed" else f" (load it with `hr.Rulebook.load([\"seed\", \"{pack}\"])`)") + ".", ""]
        if rule_file.sources:
            lines += ["Sources declared here: " + ", ".join(
                _ref(source_label(k), _md(text(s.title, "en"))) for k, s in rule_file.sources.items()) + ".", ""]
        lines += self.age_lines(rule_file)
        if rule_file.parameters:
            lines += ["Parameters declared here: " + ", ".join(f"[`{n}`](#{_param_label(n)})"
                                                              for n in rule_file.parameters) + ".", ""]
        questions = list(dict.fromkeys(r.question for r in rule_file.rules))
        for question in questions:
            lines += [f"## {_md(question_title(self.law, question, 'ja'))}", "",
                      f"*{_md(question_title(self.law, question, 'en'))}* — question "
                      f"[`{question}`](#{_question_label(question)})", ""]
            for rule in (r for r in rule_file.rules if r.question == question):
                lines += self.rule_section(rule, written[rule.id], here)
        return "\n".join(lines)

    def age_lines(self, rule_file: Any) -> list[str]:
        """How old this page's law is: each cited source's publication day and the day the
        project last checked the rules against it; then what is not confirmed."""
        cited = list(dict.fromkeys(
            [*rule_file.sources, *(r.citation.source for r in rule_file.rules),
             *(p.citation.source for p in rule_file.parameters.values())]))
        sources = [(k, self.law.sources[k]) for k in cited if not self.law.sources[k].index]
        lines: list[str] = []
        if sources:
            lines += ["## 出典の日付 / How old the sources are", "",
                      "| source | published | last checked by the project |", "|---|---|---|"]
            for key, source in sources:
                published = source.published.isoformat() if source.published else "not dated"
                checked = source.checked_on.isoformat() if source.checked_on else "not recorded"
                lines.append(f"| {_ref(source_label(key), _md(text(source.title, 'en')))} | {published} | {checked} |")
            lines += ["", "*Last checked* is the day the project last compared these rules with what is known of the "
                      "source (its review of the rules), not a guarantee that the source has not changed since.", ""]
        doubtful = unconfirmed(self.law, rule_file)
        if doubtful:
            lines += ["## 未確認の点 / Not confirmed", ""]
            lines += [f"- {item}" for item in doubtful]
            lines.append("")
        return lines

    def rule_section(self, loaded: Rule, rule: Rule, here: str) -> list[str]:
        law = self.law
        q = rule.question
        rows = [
            ("英語 / English", _md(rule_title_in_law(rule, law, "en"))),
            ("問い / question", f"`{q}`"),
            ("答え / outcome", f"`{rule.outcome}` — {_md(outcome_label(law, q, rule.outcome, 'ja'))} / "
                                 f"{_md(outcome_label(law, q, rule.outcome, 'en'))}"),
            ("出典 / citation", _citation(rule, law)),
            ("索引 / implements", ", ".join(_ref_index(i, here) for i in rule.implements)),
            ("施行期間 / in force", f"{_md(describe_in_force(rule.in_force, law, 'ja'))}<br>"
                                   f"{_md(describe_in_force(rule.in_force, law, 'en'))}"),
        ]
        if rule.confidence is not None:
            rows.append(("確からしさ / confidence", f"**{rule.confidence.level}** — {_md(rule.confidence.note.ja)}<br>"
                                                 f"*{_md(rule.confidence.note.en)}*"))
        if rule.fallback:
            rows.append(("既定 / fallback", "applies only when no other rule of its question does"))
        if rule.overrides:
            rows.append(("例外として退ける / overrides", ", ".join(self.link(r, here) for r in rule.overrides)))
        inherited = sorted(set(loaded.overrides) - set(rule.overrides))
        if inherited:
            rows.append(("継承した例外 / inherited overrides",
                         ", ".join(self.link(r, here) for r in inherited) + " (through `refines`)"))
        if rule.refines:
            rows.append(("置き換える / refines", ", ".join(self.link(r, here) for r in rule.refines)))
        if self.set_aside_by.get(rule.id):
            rows.append(("退けられる / set aside by", ", ".join(self.link(r, here) for r in self.set_aside_by[rule.id])))
        if self.refined_by.get(rule.id):
            rows.append(("置き換えられる / refined by", ", ".join(self.link(r, here) for r in self.refined_by[rule.id])))
        params = _params_named(rule)
        if params:
            rows.append(("パラメータ / parameters", ", ".join(
                f"[`{p}`](#{_param_label(p)}) = {_md(param_value(law, p, 'en'))}" for p in params)))
        lines = [f"({rule_label(rule.id)})=", f"### {rule.id} {_md(rule_title_in_law(rule, law, 'ja'))}", "",
                 "| | |", "|---|---|", *[f"| {k} | {v} |" for k, v in rows], ""]
        if rule.when:
            lines += ["**条件 / conditions** (all of them):", ""]
            for c in rule.when:
                lines.append(f"- {_md(describe_condition(c, law, 'ja'))}<br>{_md(describe_condition(c, law, 'en'))}")
            lines.append("")
        else:
            lines += ["**条件 / conditions**: none beyond the period in force.", ""]
        if rule.data:
            lines += ["**データ / data**:", ""]
            for key, expr in rule.data.items():
                lines.append(f"- `{key}` {_md(datum_label(law, q, key, 'ja'))} / {_md(datum_label(law, q, key, 'en'))}: "
                             f"{_md(describe_expr(expr, law, q, 'ja'))}<br>{_md(describe_expr(expr, law, q, 'en'))}")
            lines.append("")
        deciding = self.by_rule.get(rule.id, [])
        citing = [c for c in self.citing.get(rule.id, []) if c not in deciding]
        if deciding or citing:
            lines += ["**検証するケース / checked by**:", ""]
            lines += [f"- decides: {c.line()}" for c in deciding]
            lines += [f"- cites it: {c.line()}" for c in citing]
            lines.append("")
        else:
            lines += ["**検証するケース / checked by**: no case names this rule id; see the cases of the index ids "
                      "it implements (" + ", ".join(_ref_index(i, here) for i in rule.implements) + ").", ""]
        return lines

    def rule_index_page(self) -> str:
        index = self.law.index
        implemented: dict[str, list[str]] = defaultdict(list)
        cited: dict[str, list[str]] = defaultdict(list)
        for rule in self.law.rules.values():
            for i in rule.implements:
                implemented[i].append(rule.id)
            if self.law.sources[rule.citation.source].index:
                for key in rule.citation.section_keys():
                    if rule.id not in implemented[key]:
                        cited[key].append(rule.id)
        params_implementing: dict[str, list[str]] = defaultdict(list)
        for name, param in self.law.parameters.items():
            for i in param.implements:
                params_implementing[i].append(name)
        groups = [
            ("Part A: what the seed document says", lambda i: not i.startswith(("B-", "I-", "X-"))),
            ("Part B: later official changes", lambda i: i.startswith("B-")),
            ("Interpretations (where the seed is silent or ambiguous)", lambda i: i.startswith("I-")),
            ("Rulings of the legal review", lambda i: i.startswith("X-")),
        ]
        lines = ["# The rule index: interpretations and rulings", "",
                 f"*{_md(text(index.title, 'ja'))}*", "",
                 "Generated from `rules/seed/index.yaml`, the project's own index: every rule names the",
                 "ids it implements, and a citation may point to them. Each id gives its statement in",
                 "Japanese and English, the rules that implement or cite it, and the cases that name it.",
                 ""]
        for heading, wanted in groups:
            lines += [f"## {heading}", ""]
            for key, statement in index.sections.items():
                if not wanted(key):
                    continue
                lines += [f"({index_label(key)})=", f"### {key}", "", _md(statement.ja), "", f"*{_md(statement.en)}*", ""]
                if implemented.get(key):
                    lines.append("Implemented by: " + ", ".join(self.link(r, "rule-index") for r in implemented[key]) + ".")
                    lines.append("")
                if cited.get(key):
                    lines.append("Cited by: " + ", ".join(self.link(r, "rule-index") for r in cited[key]) + ".")
                    lines.append("")
                if params_implementing.get(key):
                    lines.append("Parameters: " + ", ".join(f"[`{p}`](#{_param_label(p)})"
                                                           for p in params_implementing[key]) + ".")
                    lines.append("")
                cases = self.citing.get(key, [])
                if cases:
                    lines.append(f"Cases naming it ({len(cases)}):")
                    lines.append("")
                    lines += [f"- {c.line()}" for c in cases]
                    lines.append("")
        return "\n".join(lines)

    def sources_page(self) -> str:
        lines = ["# Sources", "", "Every source a rule or parameter cites, with the sections it declares",
                 "(a citation names only declared sections; the rule index's sections are on",
                 "[its own page](rule-index.md)).", ""]
        for key, source in self.law.sources.items():
            lines += [f"({source_label(key)})=", f"## {_md(text(source.title, 'ja'))}", "",
                      f"*{_md(text(source.title, 'en'))}* (`{key}`)", ""]
            if source.publisher:
                lines += [f"Publisher: {_md(text(source.publisher, 'ja'))} / {_md(text(source.publisher, 'en'))}", ""]
            if source.published:
                lines += [f"Published: {source.published.isoformat()} ({show_date(source.published, 'ja')})", ""]
            if source.url:
                lines += [f"<{source.url}>", ""]
            if source.index:
                lines += ["Its sections are the ids of [the rule index](rule-index.md).", ""]
                continue
            for position, (section, heading) in enumerate(source.sections.items()):
                lines += [f"({source_label(key, position)})=", f"### {_md(section)}", "",
                          f"{_md(heading.ja)} / *{_md(heading.en)}*", ""]
        return "\n".join(lines)

    def questions_page(self) -> str:
        law = self.law
        stratum = {q: i for i, group in enumerate(law.strata) for q in group}
        seed_questions = set(self.seed.questions)
        lines = ["# Questions", "", "Every question the rules answer, with its outcomes (and the action an outcome",
                 "calls for), the data its outcomes carry, and its stratum: questions are evaluated",
                 "stratum by stratum, after the questions they read.", ""]
        for q, question in law.questions.items():
            lines += [f"({_question_label(q)})=", f"## `{q}`", "",
                      f"{_md(text(question.title, 'ja'))} / *{_md(text(question.title, 'en'))}*", "",
                      f"Stratum {stratum[q] + 1}" + ("; shown in every summary (headline)" if question.headline else "")
                      + (f"; asked only with a `{question.requires}`" if question.requires else "")
                      + ("" if q in seed_questions else "; added by an amendment pack") + ".", "",
                      "| outcome | 日本語 | English | action |", "|---|---|---|---|"]
            for name, outcome in question.outcomes.items():
                action = ""
                if outcome.action is not None:
                    action = f"{_md(outcome.action.title.ja)} / {_md(outcome.action.title.en)}"
                    if outcome.action.due:
                        action += f" (due: `{outcome.action.due}`)"
                lines.append(f"| `{name}` | {_md(outcome.ja)} | {_md(outcome.en)} | {action} |")
            lines.append("")
            if question.data:
                lines += ["Data: " + "; ".join(f"`{k}` {_md(v.ja)} / {_md(v.en)}" for k, v in question.data.items()), ""]
            rules = [r.id for r in law.rules.values() if r.question == q]
            lines += ["Rules: " + ", ".join(self.link(r, "questions") for r in rules) + ".", ""]
        return "\n".join(lines)

    def parameters_page(self) -> str:
        law = self.law
        used: dict[str, list[str]] = defaultdict(list)
        for rule in law.rules.values():
            for p in _params_named(rule):
                used[p].append(rule.id)
        settings = [n for n, p in law.parameters.items() if p.set_by is not None]
        lines = ["# Parameters", "", "Every legal date, period and count the rules name, with its dated values:",
                 "the value in force on a date is the last one whose `since` is on or before it",
                 "(`Rulebook.params_on(day)`). A later change's value carries the day it was announced.", "",
                 "## Your own values", "",
                 "Every parameter has its default here, with its citation. A parameter file (YAML or JSON,",
                 "`name: value`, or `name: [{value: …}, {since: DAY, value: …}]` for dated values) replaces",
                 "the values of the parameters it names: `hr.Rulebook.load(parameters=\"insurer.yaml\")`, or",
                 "`--parameters insurer.yaml` on every command that loads a rulebook. A name the loaded packs",
                 "do not have, or a value the parameter does not accept, is an error naming the parameter and",
                 "what it accepts (`ParameterError`, in Japanese and English); `hokensho-rules rules parameters`",
                 "lists them all with their values.", "",
                 "```yaml", "# insurer.yaml", "certificate_after_grace: on_application",
                 "my_number_unsubmitted_ex_officio: \"yes\"", "certificate_renewal_lead_days: 90", "```", "",
                 "The parameters below marked *who may change it* are the ones an insurer sets, or that a new",
                 "announcement may move: " + ", ".join(f"[`{n}`](#{_param_label(n)})" for n in settings) + ".",
                 "The others are fixed by the law; changing them is a what-if (see `compare`).", ""]
        for name, param in law.parameters.items():
            lines += [f"({_param_label(name)})=", f"## `{name}`", "",
                      f"{_md(param.title.ja)} / *{_md(param.title.en)}*", "",
                      "| since | value |", "|---|---|"]
            for dated in param.values:
                value = dated.value
                shown = f"{value.isoformat()} ({show_date(value, 'ja')})" if isinstance(value, date) else str(value)
                if isinstance(value, str) and value in param.choices:
                    shown += f" ({param.choices[value].ja} / {param.choices[value].en})"
                lines.append(f"| {dated.since.isoformat() if dated.since else 'always'} | {_md(shown)} |")
            ja, en = accepts(param)
            lines += ["", f"Accepts: {_md(en)} / {_md(ja)}", ""]
            if param.choices:
                lines += ["Choices: " + "; ".join(f"`{k}` {_md(v.ja)} / *{_md(v.en)}*" for k, v in param.choices.items()), ""]
            if param.set_by is not None:
                lines += [f"Who may change it: {_md(param.set_by.who.ja)} / *{_md(param.set_by.who.en)}*", "",
                          f"Why: {_md(param.set_by.why.ja)} / *{_md(param.set_by.why.en)}*", ""]
            else:
                lines += ["Who may change it: fixed by the law cited (a different value is a what-if).", ""]
            if param.confidence is not None:
                lines += [f"Confidence: **{param.confidence.level}** — {_md(param.confidence.note.ja)} / "
                          f"*{_md(param.confidence.note.en)}*", ""]
            lines += [f"Citation: {_citation(param, law)}", ""]
            if used.get(name):
                lines += ["Read by: " + ", ".join(self.link(r, "parameters") for r in used[name]) + ".", ""]
        return "\n".join(lines)


def unconfirmed(law: Law, rule_file: Any = None) -> list[str]:
    """Every rule and parameter (of ``rule_file``, or of the whole law) whose confidence is
    below high, as a line: id or name, level, the note in English / Japanese."""
    rules = rule_file.rules if rule_file is not None else law.rules.values()
    params = rule_file.parameters.items() if rule_file is not None else law.parameters.items()
    seen: set[str] = set()
    lines = []
    for name, item in [(f"`{n}`", p) for n, p in params] + [(r.id, r) for r in rules]:
        confidence = item.confidence
        if confidence is None or confidence.level == "high" or confidence.note.en in seen:
            continue
        seen.add(confidence.note.en)  # rules sharing one reading are said once
        lines.append(f"{name} (**{confidence.level}**): {_md(confidence.note.en)} / {_md(confidence.note.ja)}")
    return lines


def _ref_index(index_id: str, here: str) -> str:
    return f"[{index_id}](#{index_label(index_id)})"


def _param_label(name: str) -> str:
    return "param-" + name.replace("_", "-")


def _question_label(question: str) -> str:
    return "question-" + question.replace(".", "-").replace("_", "-")


def write_pages(out: Path, reference: Reference | None = None) -> list[Path]:
    """Write every page under ``out`` (only files whose text changed, so Sphinx rebuilds only those)."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, markdown in (reference or Reference()).pages().items():
        path = out / f"{name}.md"
        if not path.exists() or path.read_text(encoding="utf-8") != markdown:
            path.write_text(markdown, encoding="utf-8")
        written.append(path)
    stale = {p for p in out.glob("*.md")} - set(written)
    for path in stale:  # a rule file removed or renamed: its page goes too
        path.unlink()
    return written


def _builder_inited(app: Any) -> None:
    write_pages(Path(app.srcdir) / OUT)


def setup(app: Any) -> dict[str, Any]:
    """The Sphinx extension: write the pages before Sphinx reads its sources."""
    app.connect("builder-inited", _builder_inited)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


if __name__ == "__main__":
    paths = write_pages(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / OUT)
    print(f"{len(paths)} pages in {paths[0].parent}")
