"""The page's words in zh-Hans, zh-Hant and en, and the language a request asks for.

Labels of the page are this module's table (:data:`WORDS`, one entry per key in the order of
:data:`carbon.i18n.LANGS`), like the workbook's label tables. Messages of the engine (problems,
fixes, warnings) are shown with :func:`carbon.i18n.tr`, so they follow the message catalogues;
the few messages the web page itself makes (an upload too large, a workbook for another branch)
are :class:`Said`: English as a ``str`` (what the JSON answers carry), with their words in each
language (:func:`say`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from carbon.i18n import LANGS, tr

WORDS: dict[str, tuple[str, str, str]] = {
    "title": ("碳排放数据报送", "碳排放數據報送", "Carbon data collection"),
    "language": ("语言", "語言", "Language"),
    "home": ("上传", "上傳", "Upload"),
    "status": ("报送情况", "報送情況", "Submission status"),
    "report": ("汇总报告", "匯總報告", "Consolidated report"),
    "intro": ("把填好的工作簿拖到下面，先检查：每个问题都标出单元格和修改方法。改好后提交。",
              "把填好的工作簿拖到下面，先檢查：每個問題都標出儲存格和修改方法。改好後提交。",
              "Drop the filled workbook below and check it first: each problem names its cell "
              "and how to fix it. Once it is right, submit it."),
    "for_branch": ("本链接报送：{entity} {name}及其下属单位", "本連結報送：{entity} {name}及其下屬單位",
                   "This link submits for {entity} {name} and the entities below it"),
    "for_head_office": ("总部链接：可查看报送情况与汇总报告，可代任一单位报送",
                        "總部連結：可查看報送情況與匯總報告，可代任一單位報送",
                        "Head-office link: the submission status and the report; submits for "
                        "any entity"),
    "no_token": ("只能检查，不能提交：提交需要总部发给本单位的链接。",
                 "只能檢查，不能提交：提交需要總部發給本單位的連結。",
                 "Checking only: submitting needs the link the head office sent your branch."),
    "drop": ("把工作簿拖到这里，或点击选择文件（.xlsx）", "把工作簿拖到這裡，或點擊選擇檔案（.xlsx）",
             "Drop the workbook here, or click to choose it (.xlsx)"),
    "chosen": ("已选择：", "已選擇：", "Chosen: "),
    "check": ("检查", "檢查", "Check"),
    "submit": ("提交", "提交", "Submit"),
    "template": ("下载本单位 {year} 年的工作簿", "下載本單位 {year} 年的工作簿",
                 "Download this branch's workbook for {year}"),
    "checked": ("检查结果：{file}", "檢查結果：{file}", "Checked: {file}"),
    "nothing_stored": ("仅检查，未保存。", "僅檢查，未儲存。", "Checked only; nothing was stored."),
    "ok": ("没有需要修改的问题。", "沒有需要修改的問題。", "Nothing to fix."),
    "n_problems": ("{n} 个问题需要修改", "{n} 個問題需要修改", "{n} problems to fix"),
    "one_problem": ("1 个问题需要修改", "1 個問題需要修改", "1 problem to fix"),
    "problems": ("需要修改的问题", "需要修改的問題", "Problems to fix"),
    "where": ("位置", "位置", "Where"),
    "file": ("文件", "檔案", "File"),
    "sheet": ("工作表", "工作表", "Sheet"),
    "cell": ("单元格", "儲存格", "Cell"),
    "value": ("填写的值", "填寫的值", "Value"),
    "what": ("问题", "問題", "Problem"),
    "fix": ("修改方法", "修改方法", "How to fix"),
    "code": ("代码", "代碼", "Code"),
    "download_problems": ("下载问题清单（.xlsx）", "下載問題清單（.xlsx）",
                          "Download the problems (.xlsx)"),
    "findings": ("需要查看的事项（不阻止提交）", "需要查看的事項（不阻止提交）",
                 "Findings to look at (they do not block)"),
    "notes": ("说明（无需修改）", "說明（無需修改）", "Notes (nothing to fix)"),
    "coverage": ("各表各月的覆盖情况", "各錶各月的覆蓋情況", "Coverage of each meter, month by month"),
    "entity": ("单位", "單位", "Entity"),
    "source": ("能源品种", "能源品種", "Source"),
    "meter": ("表号", "錶號", "Meter"),
    "year": ("年度", "年度", "Year"),
    "submitted": ("已提交：{file}，{scope} 第 {version} 版", "已提交：{file}，{scope} 第 {version} 版",
                  "Submitted: {file}, {scope} version {version}"),
    "superseded": ("它取代了：{old}", "它取代了：{old}", "It supersedes: {old}"),
    "refused": ("未提交：请先修改下列问题，再提交。", "未提交：請先修改下列問題，再提交。",
                "Not submitted: fix the problems below, then submit again."),
    "pending_rows": ("{n} 行尚未填写数量，在报送情况中显示为缺失。",
                     "{n} 行尚未填寫數量，在報送情況中顯示為缺失。",
                     "{n} rows have no quantity yet; the status shows their months as missing."),
    "see_status": ("查看报送情况", "查看報送情況", "See the submission status"),
    "status_title": ("报送情况 {years}", "報送情況 {years}", "Submission status {years}"),
    "outstanding": ("尚有 {n} 个单位·品种·月未报送", "尚有 {n} 個單位·品種·月未報送",
                    "{n} entity-source months still to come"),
    "complete": ("所有应报月份均已报送", "所有應報月份均已報送", "Every expected month is in"),
    "by_file": ("各文件", "各檔案", "By file"),
    "submissions": ("当前提交", "當前提交", "Current submissions"),
    "history": ("提交记录", "提交記錄", "History"),
    "when": ("时间（UTC）", "時間（UTC）", "When (UTC)"),
    "who": ("提交人", "提交人", "Submitted by"),
    "version": ("版本", "版本", "Version"),
    "scope": ("单位", "單位", "Entities"),
    "current": ("当前", "當前", "current"),
    "state": ("状态", "狀態", "State"),
    "replaced_by": ("被 #{id} 取代", "被 #{id} 取代", "superseded by #{id}"),
    "none_yet": ("尚无提交。", "尚無提交。", "Nothing submitted yet."),
    "head_office_inventory": ("总部清单", "總部清單", "Head office's inventory"),
    "idle": ("无预期数据的单位", "無預期數據的單位", "Entities of which nothing is expected"),
    "report_title": ("汇总报告", "匯總報告", "Consolidated report"),
    "download_report": ("下载报告工作簿（.xlsx）", "下載報告工作簿（.xlsx）",
                        "Download the report workbook (.xlsx)"),
    "download_manifest": ("下载清单文件（manifest，供 carbon verify 复核）",
                          "下載清單檔案（manifest，供 carbon verify 覆核）",
                          "Download the manifest (for carbon verify)"),
    "download_inputs": ("下载全部输入与清单（.zip，解压后运行 carbon verify run.json）",
                        "下載全部輸入與清單（.zip，解壓後運行 carbon verify run.json）",
                        "Download every input with the manifest (.zip; unzip and run carbon "
                        "verify run.json)"),
    "indicator": ("指标", "指標", "Indicator"),
    "unit": ("单位", "單位", "Unit"),
    "charts": ("图表", "圖表", "Charts"),
    "warnings": ("警告", "警告", "Warnings"),
    "cannot_read": ("当前提交无法合并：", "當前提交無法合併：",
                    "The current submissions cannot be put together:"),
    "need_token": ("此页面需要总部发给本单位的链接（含令牌）。",
                   "此頁面需要總部發給本單位的連結（含令牌）。",
                   "This page needs the link the head office sent you (it carries a token)."),
    "bad_token": ("这个链接无效：请使用总部发来的完整链接。", "這個連結無效：請使用總部發來的完整連結。",
                  "This link is not valid: use the whole link the head office sent."),
    "revoked_token": ("这个链接已被总部停用：请向总部索取新链接。",
                      "這個連結已被總部停用：請向總部索取新連結。",
                      "This link was revoked by the head office: ask it for a new one."),
    "head_office_only": ("只有总部链接可以查看此页面。", "只有總部連結可以查看此頁面。",
                         "Only the head office's link opens this page."),
    "csrf": ("表单已过期：请重新打开页面，再上传一次。", "表單已過期：請重新打開頁面，再上傳一次。",
             "The form has expired: open the page again and upload once more."),
    "no_file": ("请选择一个工作簿再上传。", "請選擇一個工作簿再上傳。",
                "Choose a workbook, then upload it."),
    "bad_form": ("上传未能读取：请重新选择文件再上传。", "上傳未能讀取：請重新選擇檔案再上傳。",
                 "The upload could not be read: choose the file again and upload it."),
    "too_large": ("文件太大：上限为 {limit} MiB。", "檔案太大：上限為 {limit} MiB。",
                  "The file is too large: the limit is {limit} MiB."),
    "no_inventory": ("服务器尚未配置总部清单：请联系总部。", "伺服器尚未配置總部清單：請聯絡總部。",
                     "The server has no head-office inventory yet: contact the head office."),
    "not_found": ("没有这个页面。", "沒有這個頁面。", "There is no such page."),
    "internal": ("服务器内部错误，已记录；请稍后再试或联系总部。",
                 "伺服器內部錯誤，已記錄；請稍後再試或聯絡總部。",
                 "An internal error; it was logged. Try again later or contact the head office."),
    "back": ("返回", "返回", "Back"),
    "template_for": ("请指明单位：/template.xlsx?for=BR01", "請指明單位：/template.xlsx?for=BR01",
                     "Name the entity: /template.xlsx?for=BR01"),
    "template_failed": ("无法生成工作簿：{why}", "無法生成工作簿：{why}",
                        "The workbook could not be made: {why}"),
    "template_year": ("尚无数据行可确定工作簿的年度：请在地址后加上 ?year=2025",
                      "尚無數據列可確定工作簿的年度：請在網址後加上 ?year=2025",
                      "no activity rows yet to date the workbook by: add ?year=2025 to the "
                      "address"),
    "status_year": ("尚无数据行可确定要显示的年度：请在地址后加上 ?year=2025，或由总部以 --year 启动服务",
                    "尚無數據列可確定要顯示的年度：請在網址後加上 ?year=2025，或由總部以 --year 啟動服務",
                    "No activity rows yet to tell the year to show: add ?year=2025 to the "
                    "address, or have the head office start the server with --year."),
    "no_such_year": ("{years} 年没有任何数据行（现有数据覆盖：{have}）：请选择其中一年。",
                     "{years} 年沒有任何數據列（現有數據涵蓋：{have}）：請選擇其中一年。",
                     "There are no activity rows in {years} (the data cover {have}): choose one "
                     "of those years."),
    "bad_year": ("year= 只接受 1900 至 2200 的年份，如 2024 或 2023,2024；“{value}”不是年份。",
                 "year= 只接受 1900 至 2200 的年份，如 2024 或 2023,2024；「{value}」不是年份。",
                 "year= takes years from 1900 to 2200, such as 2024 or 2023,2024: '{value}' is "
                 "not one."),
    "hq_problems": ("总部清单目前有问题，暂时无法据以核对：请联系总部修正（总部可运行 carbon check 查看）。",
                    "總部清單目前有問題，暫時無法據以核對：請聯絡總部修正（總部可執行 carbon check 查看）。",
                    "The head office's inventory has problems just now, so nothing can be "
                    "checked against it: ask the head office to correct it (carbon check on it "
                    "lists them)."),
    "method_not_allowed": ("此地址不接受 {method} 请求。", "此網址不接受 {method} 請求。",
                           "This address does not take {method} requests."),
    "stalled": ("上传停顿超过 {seconds} 秒，已放弃：请重新上传。",
                "上傳停頓超過 {seconds} 秒，已放棄：請重新上傳。",
                "The upload stalled for more than {seconds} s and was given up: upload it "
                "again."),
    # the page's own problems (a Said message and its fix)
    "not_your_branch": ("{entity} 不是 {root} 或其下属单位：本链接只报送 {root} 及其下属单位的数据",
                        "{entity} 不是 {root} 或其下屬單位：本連結只報送 {root} 及其下屬單位的數據",
                        "{entity} is neither {root} nor below it: this link submits the rows of "
                        "{root} and the entities below it only"),
    "not_your_branch_fix": ("删除该单位及其数据行，由负责它的单位报送；或向总部索取相应链接",
                            "刪除該單位及其數據行，由負責它的單位報送；或向總部索取相應連結",
                            "delete the entity and its rows and let whoever reports for it send "
                            "them, or ask the head office for the link of that entity"),
    "token_entity_gone": ("本链接所属的单位 {entity} 已不在总部的单位表中",
                          "本連結所屬的單位 {entity} 已不在總部的單位表中",
                          "this link's entity {entity} is no longer in the head office's "
                          "entities"),
    "token_entity_gone_fix": ("请向总部索取新链接", "請向總部索取新連結",
                              "ask the head office for a new link"),
    "unreadable": ("无法读取该工作簿（{what}）；未保存", "無法讀取該工作簿（{what}）；未儲存",
                   "the workbook could not be read ({what}); nothing was stored"),
    "unreadable_fix": ("在 Excel 中打开并另存为 .xlsx 工作簿，再上传",
                       "在 Excel 中打開並另存為 .xlsx 工作簿，再上傳",
                       "open it in Excel, save it as an .xlsx workbook and upload it again"),
    # the states of a month (as carbon status words them) and the coverage marks
    "filled": ("已填报", "已填報", "filled"),
    "estimated": ("估算", "估算", "estimated"),
    "partial": ("部分缺失", "部分缺失", "partial"),
    "missing": ("缺失", "缺失", "missing"),
    "not_expected": ("不适用", "不適用", "not expected"),
    "recorded": ("已记录", "已記錄", "recorded"),
    "outside": ("不在边界内", "不在邊界內", "outside the boundary"),
}
#: The languages' names, each in its own words (the switch).
NAMES = {"zh-Hans": "简体中文", "zh-Hant": "繁體中文", "en": "English"}


def word(key: str, lang: str, **params: Any) -> str:
    """The page's word ``key`` in ``lang``, its ``{placeholders}`` filled."""
    text = WORDS[key][LANGS.index(lang) if lang in LANGS else LANGS.index("en")]
    return text.format(**params) if params else text


class Said(str):
    """A message the web page makes: English as a ``str`` (what a JSON answer carries), in
    another language through :func:`say`."""

    __slots__ = ("key", "params")
    key: str
    params: Mapping[str, Any]

    def __new__(cls, key: str, **params: Any) -> Said:
        self = super().__new__(cls, word(key, "en", **params))
        self.key = key
        self.params = params
        return self


def say(text: object, lang: str) -> str:
    """Any message in ``lang``: the page's own (:class:`Said`) from its table, the engine's with
    :func:`carbon.i18n.tr` (English until its catalogue translates it)."""
    if isinstance(text, Said):
        return word(text.key, lang, **text.params)
    return tr(text, lang)


def accepted(header: str | None) -> str | None:
    """The language an ``Accept-Language`` header asks for, of those carbon writes:
    ``zh-TW``, ``zh-HK``, ``zh-MO``, ``zh-Hant`` → zh-Hant; ``zh``, ``zh-CN``, ``zh-SG``,
    ``zh-Hans`` → zh-Hans; ``en…`` → en; the first by preference (``q``), None when none is."""
    if not header:
        return None
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate(header.split(",")[:32]):
        tag, _, rest = part.strip().partition(";")
        q = 1.0
        for param in rest.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        lang = _lang_of(tag.strip())
        if lang and q > 0:
            ranked.append((-q, i, lang))
    return min(ranked)[2] if ranked else None


def _lang_of(tag: str) -> str | None:
    low = tag.lower().replace("_", "-")
    if low == "zh" or low.startswith("zh-"):
        parts = low.split("-")
        hant = "hant" in parts or any(p in ("tw", "hk", "mo") for p in parts)
        return "zh-Hant" if hant else "zh-Hans"
    if low == "en" or low.startswith("en-"):
        return "en"
    return None
