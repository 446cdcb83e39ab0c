"""The baseline: the common tutorial RAG setup (LangChain splitter + Chroma, k=4), for comparison.

As a script: ``baseline.py ingest --corpus DIR --data DIR`` (its whole ingest command) and
``baseline.py serve --data DIR`` (GET /healthz, POST /api/chat on $CAREERBOT_PORT). Method: README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

COLLECTION = "baseline"
K = 4


def make_embeddings() -> Any:
    """LangChain's HuggingFaceEmbeddings on the same packaged all-MiniLM-L6-v2 (offline)."""
    from careerbot.offline import apply_offline_env

    apply_offline_env()
    from langchain_huggingface import HuggingFaceEmbeddings

    from careerbot.embeddings import packaged_model_path

    return HuggingFaceEmbeddings(model_name=str(packaged_model_path()), model_kwargs={"device": "cpu"})


def career_of(metadata: dict[str, Any]) -> str:
    """A baseline chunk's career slug: the stem of its source file."""
    return Path(str(metadata.get("source", ""))).stem


def client(data_dir: Path) -> Any:
    """A Chroma client on ``data_dir/chroma``."""
    import chromadb
    from chromadb.config import Settings

    (data_dir / "chroma").mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(
        path=str(data_dir / "chroma"), settings=Settings(anonymized_telemetry=False)
    )


def ingest(corpus_dir: Path, data_dir: Path, embeddings: Any) -> int:
    """Profile files as Documents, split 1000/200 characters, into a rebuilt collection; the chunk count."""
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    paths = sorted(corpus_dir.glob("*.txt"))
    documents = [
        Document(page_content=p.read_text(encoding="utf-8"), metadata={"source": str(p)}) for p in paths
    ]
    chunks = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200).split_documents(documents)
    chroma = client(data_dir)
    with contextlib.suppress(Exception):  # absent on the first run
        chroma.delete_collection(COLLECTION)
    ids = [str(n) for n in range(len(chunks))]  # deterministic ids so the scale clones can be mapped
    Chroma.from_documents(chunks, embeddings, ids=ids, client=chroma, collection_name=COLLECTION)
    return len(chunks)


class BaselineRAG:
    """similarity_search(k=4) and the concatenated "answer"."""

    def __init__(self, data_dir: Path, embeddings: Any) -> None:
        from langchain_chroma import Chroma

        chroma = client(data_dir)
        self.store = Chroma(COLLECTION, embeddings, client=chroma, create_collection_if_not_exists=False)

    def retrieve(self, question: str) -> list[Any]:
        return list(self.store.similarity_search(question, k=K))

    def careers(self, question: str) -> list[str]:
        return [career_of(doc.metadata) for doc in self.retrieve(question)]

    def answer(self, question: str) -> str:
        return "\n\n".join(doc.page_content for doc in self.retrieve(question))

    def stream(self, question: str) -> Iterator[str]:
        for n, doc in enumerate(self.retrieve(question)):
            yield doc.page_content if n == 0 else "\n\n" + doc.page_content


def app(data_dir: Path) -> Any:
    """The baseline's HTTP server: the same two routes as ours, answering with the top chunks."""
    from fastapi import Body, FastAPI

    rag, api = BaselineRAG(data_dir, make_embeddings()), FastAPI(docs_url=None, redoc_url=None)
    api.get("/healthz")(lambda: {"status": "ok"})

    @api.post("/api/chat")
    def chat(message: str = Body(embed=True)) -> dict[str, Any]:
        docs = rag.retrieve(message)
        answer = "\n\n".join(d.page_content for d in docs)
        sources = [{"career": career_of(d.metadata)} for d in docs]
        return {"answer": answer, "status": "answered", "sources": sources}

    return api


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("ingest", "serve"))
    parser.add_argument("--corpus", type=Path, help="ingest: the profile folder")
    parser.add_argument("--data", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.command == "serve":
        import uvicorn

        port = int(os.environ.get("CAREERBOT_PORT", "7860"))
        uvicorn.run(app(args.data), host="127.0.0.1", port=port, log_level="warning")
        return 0
    count = ingest(args.corpus, args.data, make_embeddings())
    print(f"baseline: {count} chunks -> {args.data}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
