/*
 * The web chat page of the elder-care assistant.
 * Talks to POST /api/chat; while a person is asked to take over, it polls the conversation log for their replies.
 * Every text from the server is inserted with textContent, never as HTML.
 */
(function () {
  "use strict";

  var API_CHAT = "/api/chat";
  var CHANNEL = "web";
  var STORAGE_KEY = "eldercare.web.sender_id";
  var SENDER_ID_PATTERN = /^[A-Za-z0-9_.:@-]{1,64}$/;
  var REQUEST_TIMEOUT_MS = 65000;
  var POLL_INTERVAL_MS = 5000;
  var LOG_PAGE = 200;
  var LOG_MAX_PAGES = 50;

  var MSG_GREETING = "您好，我是养老服务小助手。您想问什么，直接打字告诉我，也可以点下面的按钮。";
  var MSG_TYPING = "正在输入…";
  var MSG_NETWORK = "网络好像断了，请稍后再试。";
  var MSG_EMPTY = "请输入您想问的内容。";
  var MSG_UNKNOWN = "抱歉，出了点问题，请稍后再试。";
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
  var noticeEl = document.getElementById("notice");
  var handoffEl = document.getElementById("handoff");

  var senderId = loadSenderId();
  var busy = false;
  // The log is polled only while a handoff is open; lastLogId is the newest log id already accounted for.
  var poll = { active: false, lastLogId: null, running: null };

  /** Return n random bytes as lowercase hex. */
  function randomHex(n) {
    var bytes = new Uint8Array(n);
    if (window.crypto && window.crypto.getRandomValues) {
      window.crypto.getRandomValues(bytes);
    } else {
      for (var i = 0; i < n; i += 1) {
        bytes[i] = Math.floor(Math.random() * 256);
      }
    }
    return Array.prototype.map
      .call(bytes, function (b) {
        return (b < 16 ? "0" : "") + b.toString(16);
      })
      .join("");
  }

  /** Return this browser's sender id, creating and storing one on the first visit. */
  function loadSenderId() {
    var fresh = "web-" + randomHex(16);
    try {
      var stored = window.localStorage.getItem(STORAGE_KEY);
      if (stored && SENDER_ID_PATTERN.test(stored)) {
        return stored;
      }
      window.localStorage.setItem(STORAGE_KEY, fresh);
    } catch (err) {
      // Storage can be switched off (private browsing): the id then lasts as long as the page.
    }
    return fresh;
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

  /** Add one message to the conversation and return its container. */
  function addMessage(who, text, options) {
    var opts = options || {};
    var item = el("div", "msg " + (who === "user" ? "msg-user" : "msg-bot") + (opts.extraClass ? " " + opts.extraClass : ""));
    var bubble = el("p", "bubble" + (opts.emergency ? " bubble-emergency" : ""));
    if (opts.emergency) {
      bubble.setAttribute("role", "alert");
    }
    bubble.appendChild(el("span", "sr-only", who === "user" ? "您说：" : "小助手说："));
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

  /** Put a collapsible list of the answer's sources under a message. */
  function addSources(item, citations) {
    if (!Array.isArray(citations) || !citations.length) {
      return;
    }
    var details = el("details", "sources");
    details.appendChild(el("summary", null, "出处（" + citations.length + " 条）"));
    var list = el("ol", "source-list");
    citations.forEach(function (c) {
      if (!c) {
        return;
      }
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

  /** Show whether a person has been asked to take over, and poll for their replies while so. */
  function updateHandoff(handoff) {
    var status = handoff && handoff.status;
    if (status === "waiting" || status === "active") {
      var ticket = handoff.ticket_id;
      handoffEl.textContent =
        ticket !== null && ticket !== undefined
          ? "已为您转接工作人员（工单 " + ticket + "），请稍等"
          : "已为您转接工作人员，请稍等";
      handoffEl.hidden = false;
      poll.active = true;
    } else {
      handoffEl.textContent = "";
      handoffEl.hidden = true;
      poll.active = false;
      poll.lastLogId = null;
    }
  }

  /** Disable the send button and the quick buttons while a request is in flight. */
  function setBusy(value) {
    busy = value;
    sendEl.disabled = value;
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
    reveal(addMessage("user", shown));
    var typing = addMessage("bot", MSG_TYPING, { extraClass: "typing" });
    typing.setAttribute("aria-hidden", "true");
    try {
      if (poll.running) {
        await poll.running.catch(function () {});
      }
      var response = await postChat(text);
      var body = await readJson(response);
      typing.remove();
      if (body && Array.isArray(body.replies) && body.replies.length) {
        // 200, and also 503: an apology with a way to a person, shown like any answer.
        reveal(renderAnswer(body));
        await syncLog(body.replies);
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

  /** Show logged replies the page has not shown yet (a worker's), skipping the texts in `expected`. */
  function showNewFromLog(rows, expected) {
    var pending = (expected || []).map(function (t) {
      return String(t).trim();
    });
    var first = null;
    rows.forEach(function (row) {
      if (typeof row.id === "number" && (poll.lastLogId === null || row.id > poll.lastLogId)) {
        poll.lastLogId = row.id;
      }
      if (row.direction !== "out" || typeof row.text !== "string") {
        return;
      }
      if (pending.length && row.text.trim() === pending[0]) {
        pending.shift();
        return;
      }
      var item = addMessage("bot", row.text);
      var payload = row.payload || {};
      addSources(item, payload.citations);
      addButtons(item, payload.buttons);
      first = first || item;
    });
    if (first) {
      reveal(first);
    }
  }

  /** After an answer during a handoff, account for its logged messages so that polling does not repeat them. */
  async function syncLog(replies) {
    if (!poll.active) {
      return;
    }
    var expected = replies.map(function (r) {
      return r.text;
    });
    try {
      if (poll.lastLogId === null) {
        // The handoff just opened: everything logged so far is already on screen (or from an earlier visit).
        var rows = await fetchLog(0);
        poll.lastLogId = rows.length ? rows[rows.length - 1].id : 0;
      } else {
        showNewFromLog(await fetchLog(poll.lastLogId), expected);
      }
    } catch (err) {
      // Polling is a convenience; the next tick tries again.
    }
  }

  /** One polling tick: fetch and show a worker's new replies while a handoff is open. */
  function pollOnce() {
    if (!poll.active || busy || poll.running || document.hidden || poll.lastLogId === null) {
      return;
    }
    poll.running = fetchLog(poll.lastLogId)
      .then(function (rows) {
        if (!busy) {
          showNewFromLog(rows, []);
        }
      })
      .catch(function () {})
      .finally(function () {
        poll.running = null;
      });
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

  var greeting = addMessage("bot", MSG_GREETING);
  addButtons(greeting, QUICK_BUTTONS);
  window.setInterval(pollOnce, POLL_INTERVAL_MS);
})();
