"""The Japanese headers of insurers' own membership exports, accepted as aliases of the
columns (:mod:`.columns`). Not law: labels, so they live with the code that reads them.
"""

from __future__ import annotations

__all__ = ["JA_HEADERS", "ja_header"]

JA_HEADERS: dict[str, tuple[str, ...]] = {
    "id": ("加入者番号", "加入者ID"),
    "kind": ("区分", "本人家族区分"),
    "enrolled_on": ("資格取得日",),
    "loss_on": ("資格喪失日",),
    "voluntary_continuation": ("任意継続",),
    "my_number_held": ("個人番号保有",),
    "insurer_registered_on": ("オンライン資格確認登録日",),
    "employer": ("事業所", "事業所記号"),
    "household": ("世帯", "世帯番号"),
    "enrolment_notified_on": ("資格取得届受付日",),
    "details_changed_on": ("記載事項変更日",),
    "notice_sent_on": ("資格情報のお知らせ送付日",),
    "paper_card.issued_on": ("保険証交付日",),
    "paper_card.expires_on": ("保険証有効期限",),
    "paper_card.lost_on": ("保険証紛失日",),
    "paper_card.returned_on": ("保険証返納日",),
    "my_number_card.held": ("マイナンバーカード保有",),
    "my_number_card.registered_for_insurance_on": ("保険証利用登録日",),
    "my_number_card.registration_cancelled_on": ("保険証利用登録解除日",),
    "my_number_card.certificate_expires_on": ("電子証明書有効期限",),
    "my_number_card.returned_on": ("マイナンバーカード返納日",),
    "my_number_card.suspended_on": ("マイナンバーカード一時停止日",),
    "my_number_card.expires_on": ("マイナンバーカード有効期限",),
    "my_number_card.on_smartphone_since": ("スマホ搭載日",),
    "certificate.issued_on": ("資格確認書交付日",),
    "certificate.expires_on": ("資格確認書有効期限",),
    "certificate.returned_on": ("資格確認書返納日",),
    "requests.certificate_on_enrolment_form": ("資格確認書交付希望",),
    "requests.certificate_for_circumstances_on": ("資格確認書申請日",),
    "abroad.departed_on": ("国外転出日",),
    "abroad.japanese_national": ("日本国籍",),
    "abroad.continuation_done_on": ("継続利用手続日",),
}


def ja_header(name: str) -> str:
    """The first Japanese header of a column, or its English name if it has none."""
    aliases = JA_HEADERS.get(name)
    return aliases[0] if aliases else name
