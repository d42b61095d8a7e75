"""The `eldercare` command line: knowledge, index, search and evaluation."""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli import bookings as booking_cli
from index.engine import Mode, SearchEngine, SearchHit
from index.errors import EmptyQueryError, IndexError_
from index.settings import IndexSettings
from knowledge.errors import KnowledgeError, UnknownRegionError

if TYPE_CHECKING:
    from bot.cli.rasa_model import TrainingProgress
    from bot.cli.settings import RasaSettings
    from bot.core.answers.engine import AnswerEngine

logger = logging.getLogger("eldercare")

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


def _out(text: str = "") -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _err(text: str) -> None:
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def _settings(args: argparse.Namespace) -> IndexSettings:
    overrides: dict[str, object] = {}
    if getattr(args, "encoder", None):
        overrides["encoder"] = args.encoder
    if getattr(args, "index_dir", None):
        overrides["index_dir"] = Path(args.index_dir)
    return IndexSettings(**overrides)  # type: ignore[arg-type]


def _open_engine(args: argparse.Namespace, quiet: bool = False) -> SearchEngine:
    def announce(reason: str) -> None:
        _err(f"{reason}\n正在重建索引… / building the index now…")

    engine, _ = SearchEngine.open(_settings(args), progress=not quiet, on_rebuild=announce)
    return engine


# ----- commands -----


def cmd_index_build(args: argparse.Namespace) -> int:
    """Build the index (only when corpus, catalog or model changed, unless --force)."""
    settings = _settings(args)
    started = time.perf_counter()
    if not args.force:
        try:
            SearchEngine.load(settings)
            _out(f"索引已是最新，无需重建 / index is up to date: {settings.index_dir}")
            return EXIT_OK
        except IndexError_ as exc:
            logger.info("rebuilding: %s", exc)
    engine = SearchEngine.build(settings, progress=not args.quiet)
    seconds = time.perf_counter() - started
    _out(
        f"索引已建立 / index built: {len(engine.chunks)} 段 / chunks, "
        f"{len(engine.kb.documents)} 份文件 / documents, 模型 / encoder {engine.encoder.name}, "
        f"{seconds:.1f} s -> {settings.index_dir}"
    )
    return EXIT_OK


def _hit_dict(hit: SearchHit) -> dict[str, object]:
    return {
        "chunk_id": hit.chunk_id,
        "doc_id": hit.doc_id,
        "title": hit.title,
        "doc_number": hit.doc_number,
        "section": hit.section,
        "text": hit.text,
        "score": hit.score,
    }


def _render_hits(query: str, hits: Sequence[SearchHit]) -> str:
    lines = [f"问题 / question: {query}"]
    if not hits:
        lines.append("没有找到相关条文 / nothing found")
    for n, hit in enumerate(hits, 1):
        number = f"（{hit.doc_number}）" if hit.doc_number else ""
        draft = " [征求意见稿 / draft]" if hit.status == "draft" else ""
        lines.append(f"\n{n}. 《{hit.title}》{number}{draft}  score {hit.score:.3f}")
        lines.append(f"   {hit.section}")
        lines.append("   " + hit.text.replace("\n", "\n   "))
    return "\n".join(lines)


def _search_one(engine: SearchEngine, query: str, args: argparse.Namespace) -> list[SearchHit]:
    return engine.search(query, k=args.k, region=args.region, mode=Mode(args.mode))


def cmd_search(args: argparse.Namespace) -> int:
    """Search one question, a batch file, or interactively."""
    if args.k < 1 or args.k > 100:
        _err("--k 必须在 1 到 100 之间 / --k must be between 1 and 100")
        return EXIT_USAGE
    if args.query is not None and not args.query.strip():
        _err(str(EmptyQueryError()))
        return EXIT_USAGE
    if args.batch:
        path = Path(args.batch)
        if not path.exists():
            _err(f"找不到文件 / file not found: {path}")
            return EXIT_USAGE
    engine = _open_engine(args, quiet=args.json)
    if args.region:
        engine.kb.gazetteer.resolve(args.region)  # fail early, listing the known regions
    if args.batch:
        return _search_batch(engine, Path(args.batch), args)
    if args.query is None:
        return _interactive(engine, args)
    hits = _search_one(engine, args.query, args)
    if args.json:
        _out(json.dumps({"q": args.query, "hits": [_hit_dict(h) for h in hits]}, ensure_ascii=False))
    else:
        _out(_render_hits(args.query, hits))
    return EXIT_OK


def _search_batch(engine: SearchEngine, path: Path, args: argparse.Namespace) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    for line in lines:
        query = line.strip()
        if not query:
            continue
        hits = _search_one(engine, query, args)
        if args.json:
            _out(json.dumps({"q": query, "hits": [_hit_dict(h) for h in hits]}, ensure_ascii=False))
        else:
            _out(_render_hits(query, hits) + "\n")
    return EXIT_OK


def _interactive(
    engine: SearchEngine, args: argparse.Namespace, read: Callable[[str], str] | None = None
) -> int:
    read = read or input
    _out("输入问题后回车搜索，直接回车或 Ctrl-D 退出。 / Type a question and press Enter; empty line quits.")
    while True:
        try:
            query = read("问题> ").strip()
        except (EOFError, KeyboardInterrupt):
            _out()
            return EXIT_OK
        if not query:
            return EXIT_OK
        _out(_render_hits(query, _search_one(engine, query, args)) + "\n")


def cmd_eval_retrieval(args: argparse.Namespace) -> int:
    """Evaluate BM25, dense and hybrid retrieval on a labelled set."""
    from index.evaluate import evaluate, load_questions

    questions = load_questions(Path(args.set))
    engine = _open_engine(args, quiet=args.json)
    report = evaluate(engine, questions, use_region=args.use_region)
    if args.json:
        _out(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        _out(report.render())
    return EXIT_OK


def cmd_eval_nlu(args: argparse.Namespace) -> int:
    """Train the NLU model if needed, test it on the held-out set, print per-intent scores."""
    from bot.cli.nlu_eval import RasaError, evaluate_nlu
    from bot.cli.settings import RasaSettings

    settings = RasaSettings()
    try:
        model = _train(settings, force=args.retrain)
        report = evaluate_nlu(settings, model, Path(args.set) if args.set else None)
    except RasaError as exc:
        _err(str(exc))
        return EXIT_ERROR
    _out(f"模型 / model: {model}")
    _out(report.render())
    return EXIT_OK


def cmd_eval_answers(args: argparse.Namespace) -> int:
    """Run a question set through the running gateway and print what users received, scored."""
    import httpx

    from bot.cli.answer_eval import (
        category_counts,
        evaluate_answers,
        load_items,
        select_split,
        transcript,
    )

    path = Path(args.set)
    if not path.is_file():
        _err(f"找不到问题集：{path} / no such question set: {path}")
        return EXIT_USAGE
    try:
        items = select_split(load_items(path), args.split)
    except ValueError as exc:
        _err(str(exc))
        return EXIT_USAGE
    url = args.url.rstrip("/")
    try:
        httpx.get(f"{url}/healthz", timeout=5)
    except httpx.HTTPError:
        _err(f"连不上服务（{url}），请先运行 `eldercare up`。 / cannot reach the gateway at {url}.")
        return EXIT_ERROR
    counts = ", ".join(f"{k} {v}" for k, v in sorted(category_counts(items).items()))
    _err(f"{len(items)} 条 / items ({counts}) → {url}")

    def progress(done: int, total: int) -> None:
        if done % 25 == 0 or done == total:
            _err(f"  {done}/{total}")

    from bot.core.answers.memory import GoldClauses
    from index.engine import knowledge_of

    clauses = GoldClauses(knowledge_of(_settings(args)).chunks)
    report, outcomes = evaluate_answers(url, items, progress=progress, clauses=clauses)
    if args.transcript:
        Path(args.transcript).write_text(transcript(outcomes) + "\n", encoding="utf-8")
    _out(json.dumps(report.to_dict(), ensure_ascii=False, indent=2) if args.json else report.render())
    return EXIT_ERROR if args.check and report.failures() else EXIT_OK


def _answer_engine(args: argparse.Namespace, model: Path | None) -> AnswerEngine:
    """The answer engine over the built index (building it if missing)."""
    from bot.core.answers.engine import AnswerEngine
    from bot.core.answers.settings import AnswerSettings
    from index.grounding import GroundingCheck

    index = _settings(args)
    engine, _ = SearchEngine.open(index, progress=False)
    actions = AnswerSettings()
    corpus_words = {t for c in engine.chunks for t in engine.tokenizer.tokenize(c.search_text())}
    check = GroundingCheck(
        engine.tokenizer,
        engine.kb.expansions(),
        corpus_words,
        engine.kb.gazetteer.names,
        actions.min_coverage,
    )
    return AnswerEngine.open(
        engine, check, model, index.index_dir.parent / "answers", k=actions.search_k,
        max_quotes=actions.max_quotes, quote_max_chars=actions.quote_max_chars,
    )  # fmt: skip


# The question sets the answerability model learns from by default (the ones present).
DEFAULT_TRAINING_SETS = ("tests/data/answers_dev.jsonl", "tests/data/answers_train.jsonl")


def cmd_answers_train(args: argparse.Namespace) -> int:
    """Train the answerability model on the development and training parts of question sets."""
    from bot.cli.answer_eval import labelled_items, load_items
    from bot.core.answers.settings import AnswerSettings
    from bot.core.answers.training import train

    items = []
    names = args.set or [n for n in DEFAULT_TRAINING_SETS if Path(n).is_file()]
    for name in names:
        path = Path(name)
        if not path.is_file():
            _err(f"找不到问题集：{path} / no such question set: {path}")
            return EXIT_USAGE
        try:
            items += load_items(path)
        except ValueError as exc:
            _err(str(exc))
            return EXIT_USAGE
    out = Path(args.out) if args.out else AnswerSettings().answerability_model
    engine = _answer_engine(args, None)
    labelled = labelled_items(items, engine.search.kb.gazetteer)
    _err(f"训练可答性模型：{len(labelled)} 个问题 / training the answerability model ({len(labelled)})")
    started = time.perf_counter()

    def progress(done: int, total: int) -> None:
        if done % 50 == 0 or done == total:
            _err(f"  {done}/{total} ({time.perf_counter() - started:.0f} s)")

    try:
        model, report = train(engine, labelled, progress=progress)
    except ValueError as exc:
        _err(str(exc))
        return EXIT_ERROR
    model.save(out)
    if args.json:
        _out(json.dumps({"model": str(out), **report.__dict__}, ensure_ascii=False))
    else:
        _out(
            f"模型 / model: {out}\n"
            f"问题 / questions {report.questions} (能回答 / answerable {report.answerable}), "
            f"候选对 / pairs {report.pairs} (正例 / positive {report.positives})\n"
            f"阈值 / threshold {report.threshold:.2f}; 交叉验证 / out of fold: "
            f"grounded {report.grounded:.3f}, honesty {report.honesty:.3f}; "
            f"gold among candidates {report.recall_at_k:.3f}"
        )
    return EXIT_OK


def cmd_answers_ask(args: argparse.Namespace) -> int:
    """Answer one question with the engine (no Rasa), printing the mode and the reply."""
    from bot.core.answers.places import place_in_text, resolve
    from bot.core.answers.settings import AnswerSettings

    engine = _answer_engine(args, AnswerSettings().answerability_model)
    gazetteer = engine.search.kb.gazetteer
    place = place_in_text(gazetteer, args.question) or resolve(gazetteer, args.region)
    answer = engine.answer(args.question, place)
    _out(f"[{answer.mode}]")
    for message in answer.messages:
        _out(message.text)
    return EXIT_OK


def cmd_train(args: argparse.Namespace) -> int:
    """Train the Rasa model (NLU and dialogue) if its inputs changed."""
    from bot.cli.nlu_eval import RasaError
    from bot.cli.settings import RasaSettings

    try:
        model = _train(RasaSettings(), force=args.retrain)
    except RasaError as exc:
        _err(str(exc))
        return EXIT_ERROR
    _out(f"模型 / model: {model}")
    return EXIT_OK


def cmd_up(args: argparse.Namespace) -> int:
    """Start Rasa, the action server and the gateway in the background; wait until all are healthy."""
    from bot.cli.nlu_eval import RasaError
    from bot.cli.settings import RasaSettings, StackSettings
    from bot.cli.stack import StackError, up

    stack, rasa = StackSettings(), RasaSettings()
    try:
        model = _train(rasa, force=False)
        _err("启动服务（第一次需要一两分钟）… / starting the services (a minute or two the first time)…")
        up(stack, rasa, model, tick=_progress_dot)
    except (RasaError, StackError) as exc:
        _err(f"\n{exc}")
        return EXIT_ERROR
    _err("")
    _out(f"网页聊天 / web chat:        http://{stack.host}:{stack.gateway_port}/chat")
    _out(f"人工坐席 / operator console: http://{stack.host}:{stack.gateway_port}/console")
    _out(f"热线助手 / hotline assist:  http://{stack.host}:{stack.gateway_port}/console/assist")
    _out(f"聊天接口 / chat API:        POST http://{stack.host}:{stack.gateway_port}/api/chat")
    _out(f"健康检查 / health:          http://{stack.host}:{stack.gateway_port}/healthz")
    _out("终端聊天 / terminal chat:   eldercare chat")
    _out(f"日志 / logs:                {stack.log_dir}/{{actions,rasa,gateway}}.log")
    _out("停止 / stop:                eldercare down")
    return EXIT_OK


def _train(settings: RasaSettings, force: bool) -> Path:
    """The Rasa model for the current inputs, trained first (with its progress shown) when needed."""
    from bot.cli.rasa_model import train_assistant

    display = TrainingDisplay()
    try:
        model = train_assistant(settings, force=force, on_progress=display)
    finally:
        display.done()
    if not display.announced:
        _err(f"Rasa 模型是最新的，不用训练 / the Rasa model is up to date: {model.name}")
    else:
        _err(f"训练完成，用了 {display.elapsed} / trained in {display.elapsed}")
    return model


class TrainingDisplay:
    """Shows a Rasa training as it goes: how long it takes, the component, its epochs, the time so far.

    On a terminal one line is redrawn; in a log (CI, `make run > file`) a line is written when the
    component changes and at most every 20 seconds otherwise.
    """

    def __init__(self, every_s: float = 20.0) -> None:
        self.every_s = every_s
        self.announced = False
        self.last_line = ""
        self.last_written = 0.0
        self.last_component: str | None = None
        self.tty = sys.stderr.isatty()
        self.elapsed = "0:00"

    def __call__(self, progress: TrainingProgress) -> None:
        if not self.announced and not progress.waiting:
            self.announced = True
            about = progress.expected_s / 60
            _err(
                f"训练 Rasa 模型，大约需要 {about:.0f} 分钟（只在训练数据改动后才需要）… / "
                f"training the Rasa model, about {about:.0f} min (only when its data changed)…"
            )
        line = progress.describe()
        now = time.monotonic()
        if self.tty:
            sys.stderr.write("\r\033[K" + line)
            sys.stderr.flush()
        elif progress.component != self.last_component or now - self.last_written >= self.every_s:
            _err("  " + line)
            self.last_written = now
        self.last_component = progress.component
        self.last_line = line
        self.elapsed = f"{int(progress.elapsed_s) // 60}:{int(progress.elapsed_s) % 60:02d}"

    def done(self) -> None:
        """End the redrawn line."""
        if self.tty and self.last_line:
            sys.stderr.write("\n")
            sys.stderr.flush()


def _progress_dot() -> None:
    sys.stderr.write(".")
    sys.stderr.flush()


def cmd_down(args: argparse.Namespace) -> int:
    """Stop the services that `eldercare up` started."""
    from bot.cli.settings import StackSettings
    from bot.cli.stack import down

    stopped = down(StackSettings())
    _out(
        "已停止 / stopped: "
        + (", ".join(stopped) if stopped else "（没有在运行的服务 / nothing was running）")
    )
    return EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    """Which services run, with their pids."""
    from bot.cli.settings import StackSettings
    from bot.cli.stack import status

    for name, pid in status(StackSettings()).items():
        _out(f"{name:<8} {'运行中 / running, pid ' + str(pid) if pid else '未运行 / stopped'}")
    return EXIT_OK


def cmd_chat(args: argparse.Namespace) -> int:
    """Chat with the running gateway in the terminal."""
    from bot.cli.settings import StackSettings
    from bot.cli.terminal_chat import run

    stack = StackSettings()
    url = args.url or f"http://127.0.0.1:{stack.gateway_port}"
    return run(url.rstrip("/"), input, _out)


def cmd_corpus_import(args: argparse.Namespace) -> int:
    """Clean the raw sources into knowledge/corpus (or check that the shipped copies are current)."""
    from knowledge.base import KnowledgePaths
    from knowledge.corpus_import import import_corpus, stale_documents

    paths = KnowledgePaths()
    if args.check:
        stale = stale_documents(paths.sources_yaml, paths.sources, paths.corpus)
        if stale:
            _err("清洗后的文件已过期 / cleaned copies are stale: " + ", ".join(stale))
            _err("请运行 / run: eldercare corpus import")
            return EXIT_ERROR
        _out("清洗后的文件是最新的 / cleaned corpus is up to date")
        return EXIT_OK
    for path in import_corpus(paths.sources_yaml, paths.sources, paths.corpus):
        _out(f"已写入 / wrote {path}")
    return EXIT_OK


def cmd_knowledge_check(args: argparse.Namespace) -> int:
    """Load the whole knowledge base and check every catalog citation."""
    from knowledge.base import load_knowledge

    kb = load_knowledge()
    catalog = kb.catalog
    _out(
        f"文件 / documents {len(kb.documents)}, 分段 / chunks {len(kb.chunks)}, "
        f"服务 / services {len(catalog.services)}, 待遇 / benefits {len(catalog.benefits)}, "
        f"设施 / facility types {len(catalog.facility_types)}, 规划目标 / targets {len(catalog.targets)}, "
        f"资格规则 / eligibility rules {len(kb.rules.rules)}, "
        f"引文 / citations {len(kb.citations)} 全部有效 / all resolved"
    )
    return EXIT_OK


def cmd_regions_resolve(args: argparse.Namespace) -> int:
    """Resolve a region name to its chain and the documents that apply there."""
    from knowledge.base import KnowledgePaths
    from knowledge.documents import load_corpus
    from knowledge.regions import load_gazetteer

    paths = KnowledgePaths()
    gazetteer = load_gazetteer(paths.regions, [d.meta for d in load_corpus(paths.corpus)])
    res = gazetteer.resolve(args.name)
    if args.json:
        _out(
            json.dumps(
                {"region": res.region, "chain": list(res.chain), "documents": list(res.doc_ids)},
                ensure_ascii=False,
            )
        )
    else:
        _out(f"{res.chain_text}\n适用文件 / documents: {', '.join(res.doc_ids)}")
    return EXIT_OK


def cmd_nlu_generate(args: argparse.Namespace) -> int:
    """Generate Rasa synonyms, lookup tables and the jieba dictionary from knowledge/."""
    from bot.cli import nlu_export
    from knowledge.base import PACKAGE_DIR, load_knowledge

    kb = load_knowledge()
    files = nlu_export.NluFiles(PACKAGE_DIR.parent)
    if args.check:
        stale = nlu_export.stale(kb, files)
        if stale:
            _err("NLU 生成文件已过期 / generated NLU files are stale: " + ", ".join(map(str, stale)))
            _err("请运行 / run: eldercare nlu generate")
            return EXIT_ERROR
        _out("NLU 生成文件是最新的 / generated NLU files are up to date")
        return EXIT_OK
    for path in nlu_export.write(kb, files):
        _out(f"已写入 / wrote {path}")
    return EXIT_OK


# ----- parser -----


def cmd_operators_add(args: argparse.Namespace) -> int:
    """eldercare operators add NAME --role operator|admin (password from stdin, never an argument)."""
    from bot.core.operators import OperatorError, add_operator
    from bot.core.store import StoreError, create_schema, make_engine, session_factory, transaction
    from bot.core.store.models import OperatorRole
    from bot.gateway.settings import GatewaySettings

    if sys.stdin.isatty():
        password = getpass.getpass("密码 / password: ")
        if getpass.getpass("再输一次 / again: ") != password:
            _err("两次密码不一样 / the passwords differ")
            return EXIT_USAGE
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    engine = make_engine(GatewaySettings().database_url)
    try:
        create_schema(engine)
        with transaction(session_factory(engine)) as session:
            operator = add_operator(session, args.name, password, OperatorRole(args.role))
            _out(f"已添加 / added {operator.username} ({operator.role.value})")
    except OperatorError as exc:
        _err(f"{exc.zh} / {exc.en}")
        return EXIT_USAGE
    except StoreError as exc:
        _err(f"数据库出错 / {exc}")
        return EXIT_ERROR
    finally:
        engine.dispose()
    return EXIT_OK


def cmd_telegram(args: argparse.Namespace) -> int:
    """eldercare telegram [--polling]: the bot and its webhook, or answer Telegram users by polling."""
    import asyncio

    from pydantic import ValidationError
    from telegram.error import TelegramError

    from bot.core.store import StoreError
    from bot.gateway.settings import GatewaySettings
    from bot.telegram.app import bot_status
    from bot.telegram.polling import run_polling
    from bot.telegram.settings import TelegramSettings

    try:
        settings = TelegramSettings()
    except ValidationError as exc:
        _err(f"Telegram 设置不对 / invalid Telegram settings:\n{exc}")
        return EXIT_USAGE
    if not settings.enabled:
        _err("请先设置 TELEGRAM_BOT_TOKEN / set TELEGRAM_BOT_TOKEN first")
        return EXIT_USAGE
    try:
        if args.polling:
            run_polling(
                GatewaySettings(),
                settings,
                on_ready=lambda name: _err(
                    f"正在接收 @{name} 的消息，Ctrl-C 停止 / polling as @{name}; Ctrl-C stops"
                ),
            )
            _err("已停止 / stopped")
            return EXIT_OK
        status = asyncio.run(bot_status(settings))
    except TelegramError as exc:
        _err(f"连不上 Telegram / Telegram Bot API error: {exc}")
        return EXIT_ERROR
    except StoreError as exc:
        _err(f"数据库出错 / {exc}")
        return EXIT_ERROR
    _out(f"机器人 / bot:        @{status.username} (id {status.bot_id})")
    webhook = status.webhook_url or "（未设置，用 --polling 接收 / none: run with --polling）"
    _out(f"Webhook:            {webhook}")
    _out(f"待处理 / pending:    {status.pending_updates}")
    if status.last_error:
        _out(f"最近错误 / last error: {status.last_error}")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the `eldercare` command."""
    parser = argparse.ArgumentParser(
        prog="eldercare", description="居家和社区养老服务助手 / elder-care assistant"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="more logging")
    sub = parser.add_subparsers(dest="command", required=True)

    index = sub.add_parser("index", help="检索索引 / the retrieval index").add_subparsers(
        dest="action", required=True
    )
    build = index.add_parser("build", help="建立索引 / build the index")
    build.add_argument("--force", action="store_true", help="rebuild even if up to date")
    build.add_argument("--quiet", action="store_true", help="no progress bars")
    _engine_options(build)
    build.set_defaults(func=cmd_index_build)

    search = sub.add_parser("search", help="检索政策条文 / search the policies")
    search.add_argument("query", nargs="?", help="问题 / question (omit for an interactive prompt)")
    search.add_argument("--batch", metavar="FILE", help="one question per line")
    search.add_argument("--region", help="只看适用于该地区的文件 / only documents that apply to this region")
    search.add_argument("--k", type=int, default=5, help="number of results (default 5)")
    search.add_argument("--json", action="store_true", help="JSON output (one object per question)")
    search.add_argument("--mode", choices=[m.value for m in Mode], default=Mode.HYBRID.value)
    _engine_options(search)
    search.set_defaults(func=cmd_search)

    ev = sub.add_parser("eval", help="评测 / evaluation").add_subparsers(dest="what", required=True)
    retrieval = ev.add_parser("retrieval", help="检索评测 / retrieval metrics")
    retrieval.add_argument("--set", required=True, help="JSONL question set")
    retrieval.add_argument("--json", action="store_true")
    retrieval.add_argument("--use-region", action="store_true", help="filter by each question's region field")
    _engine_options(retrieval)
    retrieval.set_defaults(func=cmd_eval_retrieval)

    nlu_eval = ev.add_parser("nlu", help="意图识别评测 / NLU metrics on the held-out set")
    nlu_eval.add_argument("--set", help="Rasa NLU test file (default tests/nlu/test_nlu.yml)")
    nlu_eval.add_argument(
        "--retrain", action="store_true", help="train even if a model for these inputs exists"
    )
    nlu_eval.set_defaults(func=cmd_eval_nlu)

    answers = ev.add_parser(
        "answers", help="端到端回答评测 / what users receive, through the running gateway"
    )
    answers.add_argument("--set", default="tests/data/answers_dev.jsonl", help="JSONL question set")
    answers.add_argument("--url", default="http://127.0.0.1:8000", help="the gateway (default %(default)s)")
    answers.add_argument("--json", action="store_true", help="the figures as JSON")
    answers.add_argument("--transcript", metavar="FILE", help="write every conversation to FILE (JSONL)")
    answers.add_argument("--check", action="store_true", help="exit 1 when a floor is not reached")
    answers.add_argument(
        "--split", choices=("dev", "heldout", "all"), default="dev", help="which part (default %(default)s)"
    )
    answers.set_defaults(func=cmd_eval_answers)

    ans = sub.add_parser("answers", help="回答引擎 / the answer engine").add_subparsers(
        dest="action", required=True
    )
    atrain = ans.add_parser("train", help="训练可答性模型 / train the answerability model")
    atrain.add_argument(
        "--set",
        nargs="+",
        default=None,
        help="JSONL question sets (their dev and train parts; never the held-out part; default: "
        + ", ".join(DEFAULT_TRAINING_SETS)
        + ", those present)",
    )
    atrain.add_argument("--out", default=None, help="model file (default ELDERCARE_ANSWERABILITY_MODEL)")
    atrain.add_argument("--json", action="store_true", help="the report as JSON")
    atrain.set_defaults(func=cmd_answers_train)
    aask = ans.add_parser("ask", help="用回答引擎回答一个问题 / answer one question with the engine")
    aask.add_argument("question")
    aask.add_argument("--region", default=None, help="the user's region, e.g. 金台区")
    aask.set_defaults(func=cmd_answers_ask)

    corpus = sub.add_parser("corpus", help="政策文件 / policy documents").add_subparsers(
        dest="action", required=True
    )
    imp = corpus.add_parser("import", help="清洗原始文件 / clean the raw sources into knowledge/corpus")
    imp.add_argument("--check", action="store_true", help="only check that the cleaned copies are current")
    imp.set_defaults(func=cmd_corpus_import)

    knowledge = sub.add_parser("knowledge", help="知识库 / knowledge base").add_subparsers(
        dest="action", required=True
    )
    knowledge.add_parser("check", help="校验目录和引文 / validate catalog and citations").set_defaults(
        func=cmd_knowledge_check
    )

    nlu = sub.add_parser("nlu", help="Rasa NLU 数据 / Rasa NLU data").add_subparsers(
        dest="action", required=True
    )
    generate = nlu.add_parser(
        "generate", help="从知识库生成同义词、查找表和结巴词典 / generate from knowledge/"
    )
    generate.add_argument(
        "--check", action="store_true", help="only check that the generated files are current"
    )
    generate.set_defaults(func=cmd_nlu_generate)

    train = sub.add_parser("train", help="训练 Rasa 模型 / train the Rasa model (if inputs changed)")
    train.add_argument("--retrain", action="store_true", help="train even if a model for the inputs exists")
    train.set_defaults(func=cmd_train)
    sub.add_parser("up", help="启动全部服务 / start Rasa, actions and gateway").set_defaults(func=cmd_up)
    sub.add_parser("down", help="停止全部服务 / stop what `up` started").set_defaults(func=cmd_down)
    sub.add_parser("status", help="服务状态 / which services run").set_defaults(func=cmd_status)
    chat = sub.add_parser("chat", help="终端聊天 / chat with the running gateway")
    chat.add_argument("--url", help="gateway URL (default http://127.0.0.1:8000)")
    chat.set_defaults(func=cmd_chat)

    booking_cli.add_parsers(sub)
    operators = sub.add_parser("operators", help="工作人员账号 / staff accounts").add_subparsers(
        dest="action", required=True
    )
    add = operators.add_parser(
        "add", help="添加账号（密码从标准输入读） / add an account (password on stdin)"
    )
    add.add_argument("name")
    add.add_argument("--role", choices=["operator", "admin"], default="operator")
    add.set_defaults(func=cmd_operators_add)
    tg = sub.add_parser(
        "telegram",
        help="Telegram 机器人 / the Telegram bot (webhook status, or --polling)",
        description="没有 --polling 时显示机器人和 webhook 的状态；webhook 由网关接收。"
        " / Without --polling: show the bot and its webhook (the gateway receives webhook updates).",
    )
    tg.add_argument(
        "--polling", action="store_true", help="用 getUpdates 接收消息，直到 Ctrl-C / answer users by polling"
    )
    tg.set_defaults(func=cmd_telegram)
    regions = sub.add_parser("regions", help="地区 / regions").add_subparsers(dest="action", required=True)
    resolve = regions.add_parser("resolve", help="解析地名 / resolve a region name")
    resolve.add_argument("name")
    resolve.add_argument("--json", action="store_true")
    resolve.set_defaults(func=cmd_regions_resolve)
    return parser


def _engine_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--encoder", help="'use-m3' (default) or a sentence-transformers model name or path")
    parser.add_argument("--index-dir", help="index directory (default var/index)")


def main(argv: Iterable[str] | None = None) -> int:
    """Run the CLI; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(list(argv) if argv is not None else None)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if args.func.__module__ == booking_cli.__name__:
        return booking_cli.run(args.func, args)
    try:
        code: int = args.func(args)
        return code
    except (EmptyQueryError, UnknownRegionError) as exc:
        _err(str(exc))
        return EXIT_USAGE
    except (IndexError_, KnowledgeError) as exc:
        _err(str(exc))
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
