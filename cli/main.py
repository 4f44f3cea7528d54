"""The ``careaudit`` command: one Typer app, each command group in its own module."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import typer

app = typer.Typer(
    name="careaudit",
    help="Audit social-care records for doing-for language, unrecorded restrictions "
    "and missing rationale.",
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def _global_options(
    trusted_models: Path | None = typer.Option(
        None,
        "--trusted-models",
        help="File of SHA-256 lines (sha256sum output): load only model folders whose "
        "files are all listed. Same as $CAREAUDIT_TRUSTED_MODELS.",
        show_default=False,
    ),
) -> None:
    if trusted_models is not None:  # read by nlp.prediction.store; workers inherit it
        os.environ["CAREAUDIT_TRUSTED_MODELS"] = str(trusted_models)


def _register() -> None:
    """Attach each command module's commands (kept apart so modules stay small)."""
    from cli import audit_cmd

    audit_cmd.register(app)
    for name in ("model_cmd", "review_cmd", "report_cmd", "deid_cmd", "actions_cmd"):
        try:
            module = __import__(f"cli.{name}", fromlist=["register"])
        except ModuleNotFoundError as exc:
            if exc.name != f"cli.{name}":
                raise
            continue
        module.register(app)


_register()

if __name__ == "__main__":
    app()
