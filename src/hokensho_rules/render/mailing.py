"""A mailing plan in words and as a table: totals, the rules applied, one line per employer."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from itertools import groupby

from ..results import mailing
from ..results.mailing import Parcel, route_counts
from . import html as html_
from .words import Lang, check_lang, show_date, text

__all__ = ["MailingPlan"]


_TEXT: dict[str, dict[str, str]] = {
    "ja": {
        "title": "資格情報のお知らせ 送付計画：{mailing}（{on} 時点の規定）",
        "left_out": "この便の対象外 {n:,} 人：{reasons}",
        "totals": "加入者 {members:,} 人・封筒 {envelopes:,} 通（世帯 {household:,} 通・個人 {individual:,} 通）",
        "ml1": "ML-1: {max} 人までの世帯は 1 通にまとめ、{over} 人以上の世帯は全員個人ごとに封入",
        "ml2": "ML-2: 事業所ごとに {parcel_max} 通までは定形外封筒、{over} 通以上は段ボール箱"
        "（{box_mm} mm、1 箱 {box} 通まで）",
        "ml3": "ML-3: 事業所経由、発送業者 {courier}",
        "employers": "事業所経由 {n:,} 事業所: 定形外封筒 {non_standard:,}・段ボール箱 {boxes:,}",
        "employer": "  {employer}: 加入者 {members:,} 人・封筒 {envelopes:,} 通 → {packing}",
        "non_standard_envelope": "定形外封筒 1",
        "box": "段ボール箱 {n}（{sizes} 通）",
        "direct": "組合から本人へ直接送付（任意継続被保険者・事業所のない加入者、ML-3）: "
        "加入者 {members:,} 人・封筒 {envelopes:,} 通",
    },
    "en": {
        "title": "Mailing plan of the eligibility notices: {mailing} (rules in force on {on})",
        "left_out": "Not in this mailing: {n:,} members: {reasons}",
        "totals": "{members:,} members, {envelopes:,} envelopes ({household:,} household, {individual:,} individual)",
        "ml1": "ML-1: a household of up to {max} shares one envelope; from {over} members each gets their own",
        "ml2": "ML-2: per employer, up to {parcel_max} envelopes in one non-standard envelope, "
        "from {over} in cardboard boxes ({box_mm} mm, up to {box} each)",
        "ml3": "ML-3: through the employer, by the courier {courier}",
        "employers": "Through employers: {n:,}; non-standard envelopes: {non_standard:,}, boxes: {boxes:,}",
        "employer": "  {employer}: {members:,} members, {envelopes:,} envelopes → {packing}",
        "non_standard_envelope": "one non-standard envelope",
        "box": "boxes: {n} ({sizes} envelopes)",
        "direct": "Mailed directly by the insurer (voluntary continuation insured, members without "
        "an employer; ML-3): {members:,} members, {envelopes:,} envelopes",
    },
}


_HTML: dict[str, tuple[tuple[str, ...], str]] = {
    "ja": (("経路", "加入者", "封筒", "世帯封筒", "個人封筒", "定形外封筒", "段ボール箱"), "直接送付"),
    "en": (("route", "members", "envelopes", "household", "individual", "non-standard envelopes", "boxes"), "direct"),
}


def _render_lines(plan: mailing.MailingPlan, lang: Lang) -> list[str]:
    phrases, limits, counts = _TEXT[lang], plan.limits, plan.counts()
    employers = {k: c for k, c in counts.items() if k is not None}
    everyone = route_counts(plan.envelopes, plan.parcels)
    lines = [
        phrases["title"].format(on=show_date(plan.on, lang), mailing=_outcome_label(plan, plan.mailing, lang)),
        phrases["totals"].format(
            members=everyone.members, envelopes=everyone.envelopes,
            household=everyone.household_envelopes, individual=everyone.individual_envelopes,
        ),
        phrases["ml1"].format(max=limits.household_envelope_max_members, over=limits.household_envelope_max_members + 1),
        phrases["ml2"].format(
            parcel_max=limits.parcel_envelope_max, over=limits.parcel_envelope_max + 1,
            box_mm=limits.box_dimensions_mm, box=limits.box_capacity,
        ),
        phrases["ml3"].format(courier=limits.courier),
        phrases["employers"].format(n=len(employers), non_standard=everyone.non_standard_envelopes, boxes=everyone.boxes),
    ]
    for employer, parcels in groupby(plan.parcels, key=lambda p: p.employer):
        c = employers[employer]
        packing = _packing(phrases, tuple(parcels))
        lines.append(phrases["employer"].format(employer=employer, members=c.members, envelopes=c.envelopes, packing=packing))
    if None in counts:
        lines.append(phrases["direct"].format(members=counts[None].members, envelopes=counts[None].envelopes))
    if plan.left_out:
        reasons = Counter(row.verdict.outcome for row in plan.left_out)
        shown = ", ".join(f"{_outcome_label(plan, outcome, lang)} {n:,}" for outcome, n in reasons.most_common())
        lines.append(phrases["left_out"].format(n=len(plan.left_out), reasons=shown))
    return lines


def _outcome_label(plan: mailing.MailingPlan, outcome: str, lang: Lang) -> str:
    label = plan.labels.get(outcome)
    return outcome if label is None else text(label, lang)


def _packing(phrases: Mapping[str, str], parcels: Sequence[Parcel]) -> str:
    if parcels[0].packaging == "non_standard_envelope":
        return phrases["non_standard_envelope"]
    return phrases["box"].format(n=len(parcels), sizes=" + ".join(str(len(p.envelopes)) for p in parcels))


class MailingPlan(mailing.MailingPlan):
    """Every envelope of one mailing, packed per employer, readable in ja and en."""

    def render(self, lang: Lang = "ja") -> str:
        """A text summary: totals, the rules applied, one line per employer, and who is left out."""
        return "\n".join(_render_lines(self, check_lang(lang)))

    def html(self, lang: Lang = "ja") -> str:
        """Envelopes and parcels per route (each employer, then direct mail) as an HTML table."""
        lang = check_lang(lang)
        headers, direct = _HTML[lang]
        rows = (
            (route if route is not None else direct, c.members, c.envelopes, c.household_envelopes,
             c.individual_envelopes, c.non_standard_envelopes, c.boxes)
            for route, c in self.counts().items()
        )
        return html_.table(_render_lines(self, lang)[0], headers, rows, lang)

    def _repr_html_(self) -> str:
        return self.html("ja")
