/*
 * The web chat page of the elder-care assistant.
 * Talks to POST /api/chat and keeps reading the conversation log, so that a worker's replies and
 * booking reminders show up without a reload (often while a person has the conversation, now and
 * then otherwise, never while the page is hidden). Each logged message is shown at most once.
 * Every text from the server is inserted with textContent, never as HTML.
 */
(function () {
  "use strict";

  var API_CHAT = "/api/chat";
  var CHANNEL = "web";
  var STORAGE_KEY = "eldercare.web.sender_id";
  var LAST_LOG_KEY = "eldercare.web.last_log_id";
  var SENDER_ID_PATTERN = /^[A-Za-z0-9_.:@-]{1,64}$/;
  var REQUEST_TIMEOUT_MS = 65000;
  var POLL_TICK_MS = 1000;
  // While a person has (or was just asked for) the conversation the log is read often, otherwise now and then.
  var POLL_FAST_MS = 2500;
  var POLL_SLOW_MS = 12000;
  var POLL_RETRY_MS = 15000;
  var OPERATOR_RECENT_MS = 5 * 60 * 1000;
  // On opening the page, messages that came while it was closed are shown: the newest few of the last day.
  var CATCH_UP_MAX = 20;
  var CATCH_UP_MAX_AGE_MS = 24 * 60 * 60 * 1000;
  var LOG_PAGE = 200;
  var LOG_MAX_PAGES = 50;
  var HUMAN_PAYLOAD = "/request_human";
  var HUMAN_TITLE = "找人工";
  // Part of the note a worker's release leaves in the log (bot.handoffs.RELEASE_NOTE).
  var RELEASE_MARK = "结束了这次对话";

  var MSG_GREETING = "您好，我是养老服务小助手。您想问什么，直接打字告诉我，也可以点下面的按钮。";
  var MSG_TYPING = "正在输入…";
  var MSG_NETWORK = "网络好像断了，请稍后再试。";
  var MSG_EMPTY = "请输入您想问的内容。";
  var MSG_UNKNOWN = "抱歉，出了点问题，请稍后再试。";
  var MSG_DELIVERED = "已发给工作人员";
  var MSG_OPERATOR = "工作人员";
  var QUICK_BUTTONS = [
    { title: "我能领哪些补贴", payload: "/ask_eligibility" },
    { title: "吃饭（助餐）", payload: "/ask_meal_service" },
    { title: "上门洗澡（助浴）", payload: "/ask_bath_service" },
    { title: "找人工", payload: "/request_human" },
  ];

  var messagesEl = document.getElementById("messages");
  var formEl = document.getElementById("chat-form");
  var inputEl = document.getElementById("chat-input");
  var sendEl = document.getElementById("send-button");
  var humanEl = document.getElementById("human-button");
  var noticeEl = document.getElementById("notice");
  var handoffEl = document.getElementById("handoff");

  var identity = loadSenderId();
  var senderId = identity.id;
  var busy = false;
  var poll = {
    // True while a handoff is open (as far as the page knows): the log is then read often.
    handoff: false,
    // The newest log id already accounted for (shown, or known to be on screen); null until known.
    lastLogId: identity.fresh ? 0 : loadLastLogId(),
    // False until the first read of the log after opening the page has succeeded.
    caughtUp: false,
    // Texts of the answer just shown that the log holds too: they are not shown a second time.
    expected: [],
    running: null,
    lastAt: 0,
    retryAt: 0,
    operatorSeenAt: 0,
  };

  /** Return n random bytes (from the browser's cryptographic generator) as lowercase hex. */
  function randomHex(n) {
    var bytes = new Uint8Array(n);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map
      .call(bytes, function (b) {
        return (b < 16 ? "0" : "") + b.toString(16);
      })
      .join("");
  }

  /** Return this browser's sender id (and whether it is new), creating and storing one on the first visit. */
  function loadSenderId() {
    try {
      var stored = window.localStorage.getItem(STORAGE_KEY);
      if (stored && SENDER_ID_PATTERN.test(stored)) {
        return { id: stored, fresh: false };
      }
    } catch (err) {
      // Storage can be switched off (private browsing): the id then lasts as long as the page.
    }
    var fresh = "web-" + randomHex(16);
    try {
      window.localStorage.setItem(STORAGE_KEY, fresh);
      window.localStorage.setItem(LAST_LOG_KEY, "0");
    } catch (err) {
      // As above.
    }
    return { id: fresh, fresh: true };
  }

  /** Return the newest log id this browser has accounted for, or null if it is not known. */
  function loadLastLogId() {
    try {
      var stored = window.localStorage.getItem(LAST_LOG_KEY);
      if (stored && /^\d{1,15}$/.test(stored)) {
        return parseInt(stored, 10);
      }
    } catch (err) {
      // Not known: the first read of the log finds it.
    }
    return null;
  }

  /** Note that the log up to this id is accounted for. */
  function account(id) {
    if (typeof id !== "number" || !isFinite(id) || (poll.lastLogId !== null && id <= poll.lastLogId)) {
      return;
    }
    poll.lastLogId = id;
    try {
      window.localStorage.setItem(LAST_LOG_KEY, String(id));
    } catch (err) {
      // The id then lasts as long as the page.
    }
  }

  /** Make an element with an optional class and text (as textContent). */
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined && text !== null) {
      node.textContent = String(text);
    }
    return node;
  }

  var SPEAKERS = {
    user: { className: "msg-user", label: "您说：" },
    bot: { className: "msg-bot", label: "小助手说：" },
    operator: { className: "msg-bot msg-operator", label: "工作人员说：" },
  };

  /** Add one message ("user", "bot" or "operator") to the conversation and return its container. */
  function addMessage(who, text, options) {
    var opts = options || {};
    var speaker = SPEAKERS[who] || SPEAKERS.bot;
    var item = el("div", "msg " + speaker.className + (opts.extraClass ? " " + opts.extraClass : ""));
    if (who === "operator") {
      var name = el("p", "speaker", MSG_OPERATOR);
      name.setAttribute("aria-hidden", "true");
      item.appendChild(name);
    }
    var bubble = el("p", "bubble" + (opts.emergency ? " bubble-emergency" : ""));
    if (opts.emergency) {
      bubble.setAttribute("role", "alert");
    }
    bubble.appendChild(el("span", "sr-only", speaker.label));
    bubble.appendChild(el("span", "text", text));
    item.appendChild(bubble);
    messagesEl.appendChild(item);
    return item;
  }

  /** Keep only the well-formed buttons of a reply. */
  function validButtons(buttons) {
    if (!Array.isArray(buttons)) {
      return [];
    }
    return buttons.filter(function (b) {
      return b && typeof b.title === "string" && b.title && typeof b.payload === "string";
    });
  }

  /** Put quick-reply buttons under a message: pressing one sends its payload and shows its title. */
  function addButtons(item, buttons) {
    var usable = validButtons(buttons);
    if (!usable.length) {
      return;
    }
    var group = el("div", "choices");
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", "可以点的选项");
    usable.forEach(function (button) {
      var node = el("button", "choice", button.title);
      node.type = "button";
      node.disabled = busy;
      node.addEventListener("click", function () {
        send(button.payload || button.title, button.title, null);
      });
      group.appendChild(node);
    });
    item.appendChild(group);
  }

  /** Put the answer's sources under a message, folded: title, document number, section and quote. */
  function addSources(item, citations) {
    if (!Array.isArray(citations)) {
      return;
    }
    var usable = citations.filter(function (c) {
      return c && typeof c === "object";
    });
    if (!usable.length) {
      return;
    }
    var details = el("details", "sources");
    details.appendChild(el("summary", null, "来源（" + usable.length + " 条）"));
    var list = el("ol", "source-list");
    usable.forEach(function (c) {
      var title = typeof c.title === "string" ? c.title : "";
      var head = title && title.charAt(0) !== "《" ? "《" + title + "》" : title;
      if (c.doc_number) {
        head += "（" + c.doc_number + "）";
      }
      if (c.section) {
        head += " " + c.section;
      }
      var entry = el("li", "source");
      entry.appendChild(el("p", "source-title", head));
      if (c.quote) {
        entry.appendChild(el("blockquote", "source-quote", "“" + c.quote + "”"));
      }
      list.appendChild(entry);
    });
    details.appendChild(list);
    item.appendChild(details);
  }

  /** Show the replies of one answer; citations go under the last reply. Return the first message shown. */
  function renderAnswer(body) {
    var replies = body.replies.filter(function (r) {
      return r && typeof r.text === "string";
    });
    var first = null;
    replies.forEach(function (reply, index) {
      var item = addMessage("bot", reply.text, { emergency: body.emergency === true && index === 0 });
      if (index === replies.length - 1) {
        addSources(item, body.citations);
      }
      addButtons(item, reply.buttons);
      first = first || item;
    });
    updateHandoff(body.handoff);
    return first;
  }

  /** Scroll so that a new message starts near the top of the screen (or the end, if it is short). */
  function reveal(item) {
    if (item && item.scrollIntoView) {
      item.scrollIntoView({ block: "start" });
    }
  }

  /** Show a gentle line above the input box, or hide it. */
  function showNotice(text) {
    noticeEl.textContent = text || "";
    noticeEl.hidden = !text;
  }

  /** Show the Chinese half of a bilingual error message ("中文。 / English."). */
  function readableError(message) {
    var chinese = String(message).split(" / ")[0].trim();
    return chinese || String(message);
  }

  /** Show the line about a person taking over (or hide it), and read the log often while one is open. */
  function showHandoff(status, ticket) {
    var numbered = ticket !== null && ticket !== undefined;
    if (status === "waiting") {
      handoffEl.textContent = numbered
        ? "已为您转接工作人员（工单 " + ticket + "），请稍等"
        : "已为您转接工作人员，请稍等";
    } else if (status === "active") {
      handoffEl.textContent = numbered
        ? "工作人员正在为您服务（工单 " + ticket + "）"
        : "工作人员正在为您服务";
    } else {
      handoffEl.textContent = "";
      handoffEl.hidden = true;
      poll.handoff = false;
      return;
    }
    handoffEl.hidden = false;
    poll.handoff = true;
  }

  /** Follow the handoff state an answer reports. */
  function updateHandoff(handoff) {
    var status = handoff && handoff.status;
    showHandoff(status === "waiting" || status === "active" ? status : "none", handoff && handoff.ticket_id);
  }

  /** Disable the send buttons and the quick buttons while a request is in flight. */
  function setBusy(value) {
    busy = value;
    sendEl.disabled = value;
    humanEl.disabled = value;
    formEl.setAttribute("aria-busy", value ? "true" : "false");
    var choices = messagesEl.querySelectorAll("button.choice");
    for (var i = 0; i < choices.length; i += 1) {
      choices[i].disabled = value;
    }
  }

  /** Read a JSON body, or null if there is none. */
  function readJson(response) {
    return response.json().catch(function () {
      return null;
    });
  }

  /** POST one message; abort if no answer comes in time. */
  function postChat(text) {
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller
      ? setTimeout(function () {
          controller.abort();
        }, REQUEST_TIMEOUT_MS)
      : null;
    return fetch(API_CHAT, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ sender_id: senderId, text: text, channel: CHANNEL }),
      cache: "no-store",
      signal: controller ? controller.signal : undefined,
    }).finally(function () {
      if (timer) {
        clearTimeout(timer);
      }
    });
  }

  /** Put what the user typed back in the input box after a failure, unless they have typed on since. */
  function restoreTyped(typed) {
    if (typed && !inputEl.value) {
      inputEl.value = typed;
      autosize();
    }
  }

  /** Send a message (text) shown to the user as `shown`; `typed` goes back in the box if it fails. */
  async function send(text, shown, typed) {
    if (busy) {
      return;
    }
    setBusy(true);
    showNotice("");
    var mine = addMessage("user", shown);
    reveal(mine);
    var typing = addMessage("bot", MSG_TYPING, { extraClass: "typing" });
    typing.setAttribute("aria-hidden", "true");
    try {
      if (poll.running) {
        // A read of the log in flight finishes first: what it shows came before this message.
        await poll.running.catch(function () {});
      }
      var response = await postChat(text);
      var body = await readJson(response);
      typing.remove();
      if (body && Array.isArray(body.replies) && body.replies.length) {
        // 200, and also 503: an apology with a way to a person, shown like any answer.
        reveal(renderAnswer(body));
        await syncLog(body.replies);
      } else if (response.ok && body && Array.isArray(body.replies)) {
        // A person has the conversation: the message went to them and the assistant stays quiet.
        updateHandoff(body.handoff);
        mine.appendChild(el("p", "delivered", MSG_DELIVERED));
        await syncLog([]);
      } else {
        var hasMessage = body && body.error && typeof body.error.message === "string";
        showNotice(hasMessage ? readableError(body.error.message) : MSG_UNKNOWN);
        restoreTyped(typed);
      }
    } catch (err) {
      typing.remove();
      showNotice(MSG_NETWORK);
      restoreTyped(typed);
    } finally {
      setBusy(false);
    }
  }

  /** Read the web conversation's log after an id, page by page, oldest first. */
  async function fetchLog(afterId) {
    var rows = [];
    var after = afterId;
    for (var page = 0; page < LOG_MAX_PAGES; page += 1) {
      var url =
        API_CHAT + "/" + encodeURIComponent(senderId) + "/messages?after=" + after + "&limit=" + LOG_PAGE;
      var response = await fetch(url, { headers: { Accept: "application/json" }, cache: "no-store" });
      if (!response.ok) {
        throw new Error("HTTP " + response.status);
      }
      var body = await response.json();
      var batch = body && Array.isArray(body.messages) ? body.messages : [];
      rows = rows.concat(batch);
      if (batch.length < LOG_PAGE) {
        break;
      }
      after = batch[batch.length - 1].id;
    }
    return rows;
  }

  /** Milliseconds since 1970 of a server time ("...Z" or "+00:00"; a time without a zone is UTC). */
  function parseTime(value) {
    if (typeof value !== "string") {
      return NaN;
    }
    var zoned = /(Z|[+-]\d{2}:?\d{2})$/i.test(value) ? value : value + "Z";
    return Date.parse(zoned);
  }

  /** Follow what a worker's logged message says about the handoff. */
  function noteOperator(row) {
    poll.operatorSeenAt = Date.now();
    if (row.text.indexOf(RELEASE_MARK) !== -1) {
      showHandoff("none", null);
    } else {
      showHandoff("active", row.payload && row.payload.ticket_id);
    }
  }

  /**
   * Show the logged replies the page has not shown yet: a worker's, reminders, answers that a lost
   * connection kept from the page. The answer just shown (poll.expected) and the user's own messages
   * are skipped. On catching up after opening the page only the newest few of the last day are shown.
   */
  function showNewFromLog(rows, catchUp) {
    var cutoff = Date.now() - CATCH_UP_MAX_AGE_MS;
    var fresh = [];
    rows.forEach(function (row) {
      if (!row) {
        return;
      }
      account(row.id);
      if (row.direction !== "out" || typeof row.text !== "string") {
        return;
      }
      var seen = poll.expected.indexOf(row.text.trim());
      if (seen !== -1) {
        poll.expected.splice(seen, 1);
        return;
      }
      if (catchUp && !(parseTime(row.created_at) >= cutoff)) {
        return;
      }
      fresh.push(row);
    });
    // Every reply of the answer just shown is logged before the answer is sent: none can come later.
    poll.expected = [];
    if (catchUp) {
      fresh = fresh.slice(-CATCH_UP_MAX);
    }
    var first = null;
    fresh.forEach(function (row) {
      var payload = row.payload && typeof row.payload === "object" ? row.payload : {};
      var byOperator = typeof payload.operator === "string" && payload.operator !== "";
      var item = addMessage(byOperator ? "operator" : "bot", row.text);
      addSources(item, payload.citations);
      addButtons(item, payload.buttons);
      if (byOperator && !catchUp) {
        noteOperator(row);
      }
      first = first || item;
    });
    if (first) {
      reveal(first);
    }
  }

  /** Read the log up to now: the first time after opening the page, or after a failed first time. */
  async function catchUp() {
    if (poll.lastLogId === null) {
      // Not known which messages this browser saw: what is logged so far counts as seen.
      var rows = await fetchLog(0);
      rows.forEach(function (row) {
        account(row && row.id);
      });
      poll.expected = [];
    } else {
      showNewFromLog(await fetchLog(poll.lastLogId), true);
    }
    poll.caughtUp = true;
  }

  /** After an answer, account for its logged messages so that reading the log does not repeat them. */
  async function syncLog(replies) {
    poll.expected = poll.expected.concat(
      replies.map(function (r) {
        return String(r.text).trim();
      })
    );
    try {
      if (!poll.caughtUp) {
        await catchUp();
      } else {
        showNewFromLog(await fetchLog(poll.lastLogId), false);
      }
    } catch (err) {
      // Reading the log is a convenience; the next tick tries again (and still skips poll.expected).
      poll.retryAt = Date.now() + POLL_RETRY_MS;
    }
    poll.lastAt = Date.now();
  }

  /** How long to wait between reads of the log now. */
  function pollDelay() {
    var recent = poll.operatorSeenAt && Date.now() - poll.operatorSeenAt < OPERATOR_RECENT_MS;
    return poll.handoff || recent ? POLL_FAST_MS : POLL_SLOW_MS;
  }

  /** Read the log once and show what is new. */
  function pollOnce() {
    if (busy || poll.running) {
      return;
    }
    poll.lastAt = Date.now();
    var work = poll.caughtUp
      ? fetchLog(poll.lastLogId).then(function (rows) {
          showNewFromLog(rows, false);
        })
      : catchUp();
    poll.running = work
      .catch(function () {
        poll.retryAt = Date.now() + POLL_RETRY_MS;
      })
      .finally(function () {
        poll.running = null;
      });
  }

  /** One timer tick: read the log when it is due and the page is visible. */
  function tick() {
    if (document.hidden || busy || poll.running) {
      return;
    }
    var now = Date.now();
    if (now < poll.lastAt + pollDelay() || now < poll.retryAt) {
      return;
    }
    pollOnce();
  }

  /** Grow the input box with its text, up to a limit set in the stylesheet. */
  function autosize() {
    inputEl.style.height = "auto";
    inputEl.style.height = inputEl.scrollHeight + 4 + "px";
  }

  /** Send what is in the input box. */
  function submitTyped() {
    if (busy) {
      return;
    }
    var typed = inputEl.value;
    var text = typed.trim();
    if (!text) {
      showNotice(MSG_EMPTY);
      inputEl.focus();
      return;
    }
    inputEl.value = "";
    autosize();
    send(text, text, typed);
  }

  formEl.addEventListener("submit", function (event) {
    event.preventDefault();
    submitTyped();
  });

  inputEl.addEventListener("keydown", function (event) {
    // Enter sends; Shift+Enter makes a new line; Enter that confirms an input-method choice (拼音) does neither.
    if (event.key !== "Enter" || event.shiftKey || event.isComposing || event.keyCode === 229) {
      return;
    }
    event.preventDefault();
    submitTyped();
  });

  inputEl.addEventListener("input", autosize);

  humanEl.addEventListener("click", function () {
    send(HUMAN_PAYLOAD, HUMAN_TITLE, null);
  });

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) {
      // Back on the page: read the log now rather than at the next due time.
      poll.retryAt = 0;
      pollOnce();
    }
  });

  var greeting = addMessage("bot", MSG_GREETING);
  addButtons(greeting, QUICK_BUTTONS);
  if (!document.hidden) {
    pollOnce();
  }
  window.setInterval(tick, POLL_TICK_MS);
})();
