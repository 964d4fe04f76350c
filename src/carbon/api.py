"""carbon as a library: read an inventory, compute its figures, restate earlier years.

The same code path as the command line (the CLI is a thin caller of these functions): a
:class:`Result` gives the very JSON ``carbon compute --format json`` prints, the same workbook and
the same charts, and tidy pandas frames for analysis.

>>> import carbon
>>> result = carbon.compute(carbon.read_inventory("examples/jinshang-bank"))
>>> kpis = result.kpis  # year, metric, value, unit
>>> round(float(kpis.query("year == 2024 and metric == 'energy_kwh'")["value"].iloc[0]))
22189121
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from carbon import errors

if TYPE_CHECKING:
    import pandas as pd

    from carbon.factors import FactorSet
    from carbon.model import GridLevel, Ledger
    from carbon.model import Inventory as _Inventory
    from carbon.review import Review
    from carbon.submission import Status as _Status

PathLike = str | os.PathLike[str]

__all__ = ["InputError", "Inventory", "Restatement", "Result", "Status", "compute", "factor_set",
           "factor_sets", "read_inventory", "restate", "status"]


class InputError(errors.InputError):
    """Bad input: every problem of the inventory at once.

    Attributes
    ----------
    problems : pandas.DataFrame
        One row per problem: ``file``, ``sheet``, ``row``, ``column``, ``value``, ``code``,
        ``message``, ``fix`` (``row`` counts like a spreadsheet; the header is row 1).
    """

    def __init__(self, problems: Iterable[errors.Problem], language: str | None = None):
        super().__init__(problems, language)
        self.problems = _problem_frame(self.listed)  # type: ignore[assignment]


def _problem_frame(problems: Sequence[errors.Problem]) -> pd.DataFrame:
    """The problems as a frame, their words in the current language (:mod:`carbon.i18n`)."""
    import pandas as pd

    from carbon.i18n import tr

    cols = ["file", "sheet", "row", "column", "value", "code", "message", "fix"]
    worded = {"value", "message", "fix"}
    return pd.DataFrame([[tr(getattr(p, c)) if c in worded else getattr(p, c) for c in cols]
                         for p in problems], columns=cols)


def _user_sets(factor_sets: Iterable[PathLike] | None) -> dict[str, FactorSet]:
    from carbon.factors import with_user_sets

    return with_user_sets([Path(p) for p in factor_sets or ()])


@dataclass
class Inventory:
    """A read and validated inventory (its tables as pandas frames in ``.tables``)."""

    data: _Inventory
    sets: dict[str, FactorSet] = field(repr=False)

    @property
    def path(self) -> Path:
        """Where the inventory was read from (the head office's input, when several)."""
        return self.data.path

    @property
    def paths(self) -> list[Path]:
        """Every input it was read from, the head office's first."""
        return [p.path for p in self.data.parts] or [self.data.path]

    @property
    def language(self) -> str | None:
        """The inventory's own language: its settings' ``language``, else the language of the
        template its workbook was made from; None when neither tells."""
        return self.data.language

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """``entities``, ``activity`` and, when given, ``denominators`` and ``custom_factors``,
        one row per input row (``row`` is its row number in its file; ``activity.part`` the
        position of that file's input in :attr:`paths`)."""
        out = {"entities": self.data.entities, "activity": self.data.activity}
        for name in ("denominators", "custom_factors"):
            table = getattr(self.data, name)
            if table is not None:
                out[name] = table
        return out

    def __repr__(self) -> str:
        d = self.data
        more = f" and {len(d.parts) - 1} more inputs" if len(d.parts) > 1 else ""
        return (f"<carbon.Inventory {d.path.name}{more}: {len(d.entities)} entities, "
                f"{len(d.activity)} activity rows>")


def read_inventory(*paths: PathLike, factor_sets: Iterable[PathLike] | None = None,
                   pending: bool = False) -> Inventory:
    """Read and validate an inventory, from one input or several.

    Parameters
    ----------
    *paths : str or path
        A folder of CSV files or a workbook (``.xlsx``); or several: the head office's first
        (its settings, own factors and entity tree), then the branches' files, each adding rows
        for the entities it lists and those below them (a folder without ``entities.csv`` stands
        for the files in it). The README's "Collecting from many sites" states the rules.
    factor_sets : iterable of str or path, optional
        Factor-set folders of your own, besides the bundled sets.
    pending : bool, optional
        Keep activity rows whose quantity is blank (a template's rows not yet filled in) aside
        as not yet filled, for :func:`status`, instead of reporting them as problems.

    Raises
    ------
    carbon.InputError
        With every problem of every file; ``.problems`` is a DataFrame.
    carbon.errors.UsageError
        No path; the first is a folder of branch files; a path given twice; two inputs with the
        same name.
    """
    from carbon.io import read_inventories

    sets = _user_sets(factor_sets)
    try:
        return Inventory(read_inventories([Path(p) for p in paths], sets, pending=pending), sets)
    except errors.InputError as exc:
        raise InputError(exc.listed, exc.language) from None


def _number(v: float) -> str:
    """A figure for reading: thousands grouped, four significant digits below 100."""
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.4g}"


def _tidy(result: dict[str, Any], units: dict[str, str]) -> pd.DataFrame:
    """year, metric, value, unit for every declared figure, denominator and intensity."""
    import pandas as pd

    from carbon import metrics

    keys = [*(m.key for m in metrics.METRICS), *metrics.DENOMINATORS,
            *(r.key for r in metrics.RATIOS)]
    rows = []
    for year, fig in result["years"].items():
        for key in keys:
            value = fig.get(key) if key in metrics.DENOMINATORS else metrics.value(fig, key)
            rows.append((int(year), key, value, units.get(key) or metrics.unit_of(key)))
    return pd.DataFrame(rows, columns=["year", "metric", "value", "unit"])


@dataclass
class Result:
    """The figures of one run: what ``carbon compute`` reports."""

    inventory: Inventory
    ledger_data: Ledger = field(repr=False)
    figures: dict[str, Any] = field(repr=False)
    review: Review = field(repr=False)

    @property
    def kpis(self) -> pd.DataFrame:
        """Every figure, denominator and intensity of every year, tidy: ``year``, ``metric``,
        ``value`` (None where there is none), ``unit`` (as computed: tCO2 where only CO2 was
        counted)."""
        return _tidy(self.figures, self.figures.get("units", {}))

    @property
    def by_entity(self) -> pd.DataFrame:
        """One row per entity and year: its figures, denominators and intensities."""
        import pandas as pd

        rows = []
        for e in self.figures["by_entity"]:
            flat = {k: v for k, v in e.items() if not isinstance(v, dict)}
            for v in e.values():
                if isinstance(v, dict):
                    flat |= v
            rows.append(flat)
        return pd.DataFrame(rows)

    @property
    def by_source(self) -> pd.DataFrame:
        """One row per year and source: ``quantity`` in ``unit`` (the source's reporting unit),
        ``energy_kwh``, ``energy_tce``, ``tco2e`` (Scope 1 + 2 location-based), ``tco2e_market``."""
        import pandas as pd

        rows = [{"year": int(y), "source": s, **v} for y, fig in self.figures["years"].items()
                for s, v in fig["by_source"].items()]
        return pd.DataFrame(rows, columns=["year", "source", "quantity", "unit", "energy_kwh",
                                           "energy_tce", "tco2e", "tco2e_market"])

    @property
    def ledger(self) -> pd.DataFrame:
        """The audit trail: one row per input row (and year), its figures and the ids of the
        factors it used (``f_*`` columns; :attr:`factors` describes each)."""
        return self.ledger_data.rows

    @property
    def factors(self) -> pd.DataFrame:
        """Every factor the run used: ``id``, ``factor_set``, ``parameter``, ``subject``,
        ``region``, ``value``, ``unit``, ``reference``."""
        import pandas as pd

        from carbon.factors import Factor

        return pd.DataFrame(
            [(i, f.set_id, f.parameter, f.subject, f.region, f.value, f.unit, f.reference)
             for i, f in self.ledger_data.factors.items() if isinstance(f, Factor)],
            columns=["id", "factor_set", "parameter", "subject", "region", "value", "unit",
                     "reference"])

    @property
    def coverage(self) -> pd.DataFrame:
        """Per meter and reporting year: the days in the boundary, expected, recorded,
        estimated and missing, and the missing ranges (the JSON's ``coverage``)."""
        import pandas as pd

        return pd.DataFrame(self.figures["coverage"])

    @property
    def warnings(self) -> pd.DataFrame:
        """``code``, ``message`` of every warning (they never block), the messages in the
        current language (:func:`carbon.i18n.using`)."""
        import pandas as pd

        from carbon.i18n import rendered

        return pd.DataFrame(rendered(self.figures["warnings"]), columns=["code", "message"])

    def to_json(self) -> str:
        """The JSON of ``carbon compute --format json``, byte for byte."""
        from carbon.report import jsonout

        return jsonout.dumps(self.figures)

    def workbook(self, lang: str = "en") -> Any:
        """The report workbook (KPI, charts, breakdowns, coverage, audit trail …) as an openpyxl
        ``Workbook``, its large sheets streamed when written
        (:func:`carbon.report.workbook.write_workbook`)."""
        from carbon.report.coverage import coverage_sheet
        from carbon.report.workbook import build_workbook, sheet

        inv = self.inventory.data
        names = dict(zip(inv.entities["entity_id"].astype(str), inv.entities["name"].astype(str),
                         strict=True))
        return build_workbook(inv, self.ledger_data, self.figures, self.inventory.sets, lang,
                              extra_sheets=[sheet("Coverage", lambda ws: coverage_sheet(
                                  ws, self.review.coverage, names, lang))])

    def to_excel(self, path: PathLike, lang: str = "en") -> Path:
        """Write the report workbook (:meth:`workbook`) to ``path``, as ``carbon compute --out
        report.xlsx`` does."""
        from carbon.report.workbook import write_workbook
        from carbon.report.write import write_outputs

        target = Path(path)
        wb = self.workbook(lang)
        write_outputs([(target, lambda fh: write_workbook(wb, fh))], self.inventory.data.files)
        return target

    def charts(self, folder: PathLike, lang: str = "en") -> list[Path]:
        """Write the charts as PNG and SVG into ``folder``; returns the files written."""
        from carbon.report.charts import render
        from carbon.report.write import write_outputs

        drawn, _used = render(self.figures, lang)
        files = [(Path(folder) / name, data) for name, data in drawn.items()]
        write_outputs(files, self.inventory.data.files)
        return [p for p, _ in files]

    def _table(self) -> pd.DataFrame:
        t = self.kpis.pivot_table(index=["metric", "unit"], columns="year", values="value",
                                  sort=False, dropna=False)
        return t.dropna(how="all")

    def __repr__(self) -> str:
        return (f"<carbon.Result {self.inventory.path.name}>\n"
                f"{self._table().to_string(float_format=_number)}")

    def _repr_html_(self) -> str:
        return self._table().to_html(float_format=_number)


def compute(inventory: Inventory, *, years: Iterable[int] | None = None,
            grid_level: GridLevel | None = None,
            factor_sets: Iterable[PathLike] | None = None) -> Result:
    """Compute an inventory's energy, emissions and intensities, every year side by side.

    Parameters
    ----------
    inventory : Inventory
        From :func:`read_inventory`.
    years : iterable of int, optional
        Report these years (default: the settings' reporting years, else every year present).
    grid_level : {"national", "regional", "provincial"}, optional
        Overrides the inventory's setting.
    factor_sets : iterable of str or path, optional
        Factor-set folders of your own (default: those the inventory was read with).

    Raises
    ------
    carbon.InputError
        A factor missing for some of the inventory's rows, a reporting year without data …
    carbon.errors.UsageError
        One of ``years`` has no data.
    """
    from dataclasses import replace

    from carbon.aggregate import summarize
    from carbon.calc import compute as run
    from carbon.review import check_years, reporting_years, review

    sets = _user_sets(factor_sets) if factor_sets is not None else inventory.sets
    wanted = sorted(set(years)) if years else None
    try:
        reported = reporting_years(inventory.data, wanted)
        check_years(inventory.data, reported, wanted)
        reviewed = review(inventory.data, reported)  # coverage and plausibility
        data = replace(inventory.data, notices=[*inventory.data.notices, *reviewed.notices])
        ledger = run(data, sets, grid_level=grid_level, years=wanted)
    except errors.InputError as exc:
        raise InputError(exc.listed, inventory.language) from None
    shown = wanted or (sorted(set(inventory.data.settings.reporting_years)) or None)
    figures = summarize(data, ledger, shown)
    figures["coverage"] = reviewed.coverage_json()
    return Result(Inventory(data, inventory.sets), ledger, figures, reviewed)


@dataclass
class Restatement:
    """Earlier years restated on today's basis, each change split into boundary, activity data
    and factors (``carbon restate``)."""

    figures: dict[str, Any] = field(repr=False)

    @property
    def table(self) -> pd.DataFrame:
        """``year``, ``metric``, ``before``, ``after``, ``delta``, ``delta_pct`` [%],
        ``boundary``, ``activity``, ``factors`` (the parts sum to ``delta``)."""
        import pandas as pd

        rows = [(int(y), m, f["before"], f["after"], f["delta"], f["delta_pct"],
                 *(f["attribution"][p] for p in ("boundary", "activity", "factors")))
                for y, figs in self.figures["years"].items() for m, f in figs.items()]
        return pd.DataFrame(rows, columns=["year", "metric", "before", "after", "delta",
                                           "delta_pct", "boundary", "activity", "factors"])

    @property
    def recalculation_required(self) -> bool:
        """Whether the base year's cumulative change reaches the significance threshold."""
        return bool(self.figures["recalculation_required"])

    def disclosure(self, lang: str = "en") -> str:
        """The draft disclosure paragraph in ``lang`` (``en``, ``zh-Hans``, ``zh-Hant``)."""
        return str(self.figures["notes"]["disclosure"][lang])

    def to_json(self) -> str:
        """The JSON of ``carbon restate --format json``, byte for byte."""
        from carbon.report import jsonout

        return jsonout.dumps(self.figures)

    def to_excel(self, path: PathLike, lang: str = "en") -> Path:
        """Write the restatement sheet to ``path``."""
        from carbon.report.restatement import to_xlsx

        to_xlsx(Path(path), self.figures, lang)
        return Path(path)

    def __repr__(self) -> str:
        return (f"<carbon.Restatement base year {self.figures['base_year']}, recalculation "
                f"{'required' if self.recalculation_required else 'not required'}>\n"
                f"{self.table.to_string(index=False, float_format=_number)}")

    def _repr_html_(self) -> str:
        return self.table.to_html(index=False, float_format=_number)


def restate(before: Inventory, after: Inventory, *, years: Iterable[int] | None = None,
            base_year: int | None = None, threshold_pct: float | None = None,
            threshold_scope: str | None = None, published: PathLike | None = None,
            factor_sets: Iterable[PathLike] | None = None) -> Restatement:
    """Restate ``before`` (as originally reported) on the basis of ``after`` (as now).

    Parameters
    ----------
    before, after : Inventory
        From :func:`read_inventory`.
    years : iterable of int, optional
        Years to restate (default: those both report).
    base_year : int, optional
        Default: ``after``'s settings, else ``before``'s.
    threshold_pct : float, optional
        Significance threshold. [%] Default: ``after``'s settings (5).
    threshold_scope : {"location", "market", "each_scope"}, optional
        The figure the threshold is tested on.
    published : str or path, optional
        A CSV of ``year,metric,value`` as printed in the original report.
    factor_sets : iterable of str or path, optional
        Factor-set folders of your own.
    """
    from dataclasses import replace

    from carbon.io.published import read_published
    from carbon.metrics import restated
    from carbon.restatement import restate as run
    from carbon.restatement import restated_years
    from carbon.review import review

    sets = (_user_sets(factor_sets) if factor_sets is not None
            else {**before.sets, **after.sets})
    wanted = restated_years(before.data, after.data, years)
    try:
        pub = read_published(Path(published), restated(), wanted) if published else None
        # missing days and values far off their series, worded as compute words them
        a, b = (replace(inv.data, notices=[*inv.data.notices, *review(inv.data, wanted).notices])
                for inv in (before, after))
        figures = run(a, b, sets, years=wanted, base_year=base_year,
                      threshold_pct=threshold_pct, threshold_scope=threshold_scope,
                      published=pub)
    except errors.InputError as exc:
        raise InputError(exc.listed, after.language or before.language) from None
    return Restatement(figures)


@dataclass
class Status:
    """Who has sent what: each entity's sources month by month (``carbon status``)."""

    data: _Status = field(repr=False)

    @property
    def years(self) -> list[int]:
        """The years shown."""
        return list(self.data.years)

    @property
    def table(self) -> pd.DataFrame:
        """One row per entity, source and year: ``entity_id``, ``name``, ``source``, ``file``
        (the input that reports the entity), ``year``, ``m01`` … ``m12``: ``filled``,
        ``estimated``, ``partial``, ``missing`` or ``not_expected``."""
        return self.data.table

    @property
    def by_file(self) -> pd.DataFrame:
        """Per input: entity-source months ``expected``, ``filled``, ``estimated``,
        ``partial``, ``missing``."""
        return self.data.by_file()

    @property
    def outstanding(self) -> int:
        """Entity-source months still to come (missing or partial)."""
        return self.data.outstanding

    def to_json(self) -> str:
        """The JSON of ``carbon status --format json``."""
        from carbon.report.status import to_json

        return to_json(self.data)

    def to_excel(self, path: PathLike, lang: str = "en") -> Path:
        """Write the status workbook (month cells coloured by their state) to ``path``."""
        from carbon.report.status import to_xlsx
        from carbon.report.write import write_outputs

        target = Path(path)
        write_outputs([(target, to_xlsx(self.data, lang))])
        return target

    def __repr__(self) -> str:
        from carbon.report.status import render_text

        return f"<carbon.Status>\n{render_text(self.data)}"


def status(inventory: Inventory, *, years: Iterable[int] | None = None) -> Status:
    """Who has sent what: each entity's sources month by month, from the coverage of the
    inventory's meters (``carbon status``).

    Parameters
    ----------
    inventory : Inventory
        From :func:`read_inventory`, best with ``pending=True`` (a template's rows not yet filled
        in then count as expected and missing).
    years : iterable of int, optional
        Default: the latest year any activity row touches, filled or not.
    """
    from carbon.submission import submission_status

    return Status(submission_status(inventory.data, sorted(set(years)) if years else None))


def factor_sets() -> pd.DataFrame:
    """The bundled factor sets: ``id``, ``title``, ``issuer``, ``document_number``,
    ``published``, ``family``, ``data_year``, ``rows``, ``sha256``."""
    import pandas as pd

    from carbon.factors import bundled

    return pd.DataFrame(
        [(fs.id, fs.meta.title, fs.meta.issuer, fs.meta.document_number, fs.meta.published,
          fs.meta.family, fs.meta.data_year, len(fs.factors), fs.sha256)
         for fs in sorted(bundled().values(), key=lambda s: s.id)],
        columns=["id", "title", "issuer", "document_number", "published", "family",
                 "data_year", "rows", "sha256"])


def factor_set(set_id: str) -> pd.DataFrame:
    """Every row of one bundled factor set with its reference: ``parameter``, ``subject``,
    ``region``, ``value``, ``unit``, ``reference``, ``verified``, ``note``.

    Raises
    ------
    carbon.errors.FactorNotFoundError
        No bundled set has this id (the message lists those that exist).
    """
    import pandas as pd

    from carbon.factors import bundled, require

    fs = require(bundled(), set_id)
    return pd.DataFrame(
        [(f.parameter, f.subject, f.region, f.value, f.unit, f.reference, f.verified, f.note)
         for f in fs.factors.values()],
        columns=["parameter", "subject", "region", "value", "unit", "reference", "verified",
                 "note"])
