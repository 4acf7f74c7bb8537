"""The `riskreg` command line: a thin layer over pipeline, match and dataset."""

from __future__ import annotations

import sys

import click

from riskreg import __version__
from riskreg.pipeline import DEFAULT_OUT, DEFAULT_RAW


def _fail_line(message: str) -> None:
    click.echo(f"riskreg: {message}", err=True)


def limit_options(command):
    """--max-pages and --time-limit: one pathological file cannot stall a batch."""
    command = click.option("--time-limit", type=float, default=1800, show_default=True,
                           help="seconds allowed per input file")(command)
    return click.option("--max-pages", type=int, default=2000, show_default=True,
                        help="refuse inputs longer than this many pages")(command)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="riskreg")
def main() -> None:
    """Turn published risk registers (PDF, scanned PDF, text) into a clean, linked dataset."""


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--out", "out", default=str(DEFAULT_OUT), show_default=True,
              help="dataset folder to write into")
@click.option("--org", "organisation", help="the publishing organisation (else the folder under RAW, else the document)")
@click.option("--period", help="the edition's period, e.g. 'Q3 2019/20' (else from the document, else the file name)")
@click.option("--raw", "raw_root", default=str(DEFAULT_RAW), show_default=True,
              help="inputs under this folder are named relative to it, and its sub-folders name organisations")
@click.option("--profile", help="layout profile name or YAML path (default: chosen from the headers)")
@click.option("--password", help="password for encrypted PDFs")
@limit_options
def ingest(files, out, organisation, period, raw_root, profile, password, max_pages, time_limit):
    """Extract and normalise each register FILE and write its edition into the dataset.

    An edition already in the dataset is replaced; nothing else changes. Each failed input
    gets one line saying what is wrong and what to do, and the exit code is non-zero.
    """
    from riskreg.dataset import Dataset
    from riskreg.pipeline import IngestRequest, ingest_one, write_outcome

    dataset = Dataset(out)
    dataset.ensure()
    failed = 0
    for path in files:
        req = IngestRequest(path=path, organisation=organisation, period=period,
                            raw_root=raw_root, profile=profile, password=password,
                            max_pages=max_pages, time_limit=time_limit)
        outcome = ingest_one(req)
        write_outcome(dataset, outcome)
        if outcome.ok:
            s = outcome.source
            click.echo(f"{s['source_file']}: {s['records']} records -> {s['edition']} "
                       f"({s['method']}, {s['seconds']:.1f}s)")
            for w in outcome.warnings:
                click.echo(f"  warning: {w}", err=True)
        else:
            failed += 1
            _fail_line(outcome.error)
    _apply_corrections(out, raw_root)
    sys.exit(1 if failed else 0)


def _apply_corrections(out: str, raw_root: str | None) -> None:
    """Re-apply the analyst's corrections (RAW/corrections.csv) after every write."""
    from riskreg.corrections import reapply_corrections

    lines, corrected = reapply_corrections(out, raw_root)
    for line in lines:
        click.echo(f"  warning: {line}", err=True)
    if corrected:  # a corrected reference or title changes links already made
        from riskreg.linking import run_link

        run_link(out, raw_root=raw_root, verbose=False, organisations=corrected)


@main.command()
@click.option("--out", "out", default=str(DEFAULT_OUT), show_default=True, help="dataset folder")
@click.option("--overrides", type=click.Path(path_type=str),
              help="CSV of reviewed links (force/forbid); default: RAW/link-overrides.csv if present")
@click.option("--raw", "raw_root", default=str(DEFAULT_RAW), show_default=True,
              help="where the default overrides file lives")
@click.option("--quiet", is_flag=True, help="print only the per-organisation counts")
def link(out, overrides, raw_root, quiet):
    """Link every organisation's entries across editions; write links.parquet and risk_uid."""
    from riskreg.linking import run_link

    try:
        text = run_link(out, overrides=overrides, raw_root=raw_root, verbose=not quiet)
    except Exception as exc:  # noqa: BLE001 - one clear line, non-zero exit
        _fail_line(f"link failed: {exc}")
        sys.exit(1)
    click.echo(text)


@main.command()
@click.argument("raw", required=False, default=str(DEFAULT_RAW), type=click.Path(path_type=str))
@click.option("--out", "out", default=str(DEFAULT_OUT), show_default=True, help="dataset folder")
@click.option("--workers", type=int, default=None, help="processes to use (default: the machine's cores)")
@click.option("--scheduler", help="address of a running Dask distributed scheduler, e.g. tcp://10.0.0.5:8786")
@click.option("--force", is_flag=True, help="re-read every input even if unchanged")
@click.option("--prefer", multiple=True, type=click.Path(path_type=str),
              help="when two inputs claim the same edition, this one wins (repeatable)")
@limit_options
def build(raw, out, workers, scheduler, force, prefer, max_pages, time_limit):
    """Ingest every register under RAW that is new or changed since the last build, then link."""
    from riskreg.build import run_build

    summary = run_build(raw, out, workers=workers, scheduler=scheduler, force=force,
                        prefer=list(prefer), max_pages=max_pages, time_limit=time_limit)
    sys.exit(0 if summary.ok else 1)


@main.command()
@click.argument("file", type=click.Path(path_type=str))
@click.option("--page", type=int, help="only this page (1-based)")
@click.option("--out", "out", default="inspect", show_default=True, help="folder for the PNGs and the HTML report")
@click.option("--profile", help="layout profile name or YAML path")
@click.option("--password", help="password for encrypted PDFs")
def inspect(file, page, out, profile, password):
    """Pictures for a person: each page with the table grid and each record's cells outlined,
    and an HTML report of the records beside their page images."""
    from riskreg.inspect import run_inspect

    sys.exit(run_inspect(file, out=out, page=page, profile=profile, password=password))


@main.command()
@click.option("--out", "out", default=str(DEFAULT_OUT), show_default=True, help="dataset folder")
@click.option("--org", "organisation", help="organisation (name, slug, or a unique part); default: the only one")
@click.option("--from", "from_period", help="the earlier edition's period (default: the one before --to)")
@click.option("--to", "to_period", help="the later edition's period (default: the latest)")
@click.option("--format", "fmt", type=click.Choice(["md", "html", "csv"]), default="md", show_default=True)
@click.option("--save", "dest", type=click.Path(path_type=str), help="write the report to this file too")
def changes(out, organisation, from_period, to_period, fmt, dest):
    """What changed between two editions: new, closed, escalated, de-escalated, re-scored,
    reworded, renumbered and re-owned entries, old and new values side by side."""
    from riskreg.changes import run_changes

    try:
        text = run_changes(out, organisation, from_period, to_period, fmt, dest)
    except ValueError as exc:
        _fail_line(str(exc))
        sys.exit(1)
    click.echo(text)


@main.command()
@click.option("--out", "out", default=str(DEFAULT_OUT), show_default=True, help="dataset folder")
@click.option("--dest", default="report", show_default=True, help="folder for the PNGs and report.html")
def report(out, dest):
    """Pictures of the risks: per organisation, heat maps of residual scores per edition and the
    trajectories of linked risks (a PNG each, and one report.html); also writes the dataset's
    datapackage.json (Frictionless) beside its tables."""
    from riskreg.report import run_report

    try:
        written = run_report(out, dest)
    except (OSError, ValueError) as exc:
        _fail_line(f"report failed: {exc}")
        sys.exit(1)
    for path in written:
        click.echo(str(path))


if __name__ == "__main__":  # pragma: no cover
    main()
