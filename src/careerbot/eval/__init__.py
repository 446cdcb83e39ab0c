"""Offline evaluation of the shipped ChatService: datasets, metrics, runner, report."""

from careerbot.eval.dataset import Case, Dataset, load_dataset
from careerbot.eval.runner import CaseResult, EvalRun, evaluate

__all__ = ["Case", "CaseResult", "Dataset", "EvalRun", "evaluate", "load_dataset"]
