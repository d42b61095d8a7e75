/*
 * The operator console (/console) and the hotline assist page (/console/assist).
 * Logs in for a bearer token (kept in sessionStorage), follows the handoff queue over a server-sent
 * event stream read with fetch (EventSource cannot send the token), and shows a ticket's conversation,
 * the user's profile and suggested answers with their sources. Every text from the server or from a
 * user is inserted with textContent, never as HTML.
 */
(function () {
  "use strict";

  var TOKEN_KEY = "eldercare.console.token";
  var USER_KEY = "eldercare.console.username";
  var ROLE_KEY = "eldercare.console.role";
  var API_LOGIN = "/api/operator/login";
  var API_STREAM = "/api/handoffs/stream";
  var API_HANDOFFS = "/api/handoffs";
  var API_CONVERSATIONS = "/api/conversations/";
  var API_SUGGESTIONS = "/api/suggestions";
  var API_BOOKINGS = "/api/bookings";
  var RECONNECT_MIN_MS = 1000;
  var RECONNECT_MAX_MS = 30000;
  // The stream sends keepalive comments; a connection silent for longer than this is treated as dropped.
  var STREAM_SILENCE_MS = 75000;
  var OVERDUE_S = 300;
  var BOOKINGS_REFRESH_MS = 5 * 60 * 1000;
  var CLOSED_SHOWN = 30;

  var PRIORITY = { urgent: "紧急", high: "优先", normal: "普通" };
  var REASON = {
    request_human: "用户要求找人工",
    complaint: "投诉",
    emergency: "紧急求助",
    misunderstanding: "机器人没听懂",
    system_error: "系统出错，需回访",
  };
  var CHANNEL = { web: "网页", telegram: "Telegram" };
  var KIND = { service: "服务", benefit: "补贴", facility: "机构" };
  // A pressed button is logged as its payload; these are shown by their titles.
  var BUTTONS = {
    "/request_human": "找人工",
    "/ask_eligibility": "能领哪些补贴",
    "/ask_meal_service": "吃饭（助餐）",
    "/ask_bath_service": "上门洗澡（助浴）",
  };
  var STATUS = { waiting: "等待接入", active: "处理中", closed: "已结束" };
  var VERDICT_CLASS = {
    eligible: "yes",
    yes: "yes",
    likely: "maybe",
    maybe: "maybe",
    possible: "maybe",
    unknown: "maybe",
    need_info: "maybe",
    ineligible: "no",
    not_eligible: "no",
    no: "no",
  };
  var VERDICT_LABEL = {
    eligible: "符合",
    yes: "符合",
    likely: "可能符合",
    maybe: "可能符合",
    possible: "可能符合",
    unknown: "需核实",
    need_info: "需补充信息",
    ineligible: "不符合",
    not_eligible: "不符合",
    no: "不符合",
  };

  var page = document.body.getAttribute("data-page") === "assist" ? "assist" : "console";

  function $(id) {
    return document.getElementById(id);
  }

  var state = {
    token: null,
    username: null,
    role: null,
    waiting: [],
    active: [],
    receivedAt: 0,
    selected: null, // the ticket shown in the middle column, as last seen
    conversationSeq: 0,
    suggestionSeq: 0,
    suggestedFor: null, // id of the user message the suggestions are for
    stream: { controller: null, attempt: 0, timer: null, watchdog: null },
    ticker: null,
    bookingsTimer: null,
  };

  // ----- small helpers -----

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

  /** Remove every child of a node. */
  function clear(node) {
    while (node && node.firstChild) {
      node.removeChild(node.firstChild);
    }
  }

  /** Show a text in an element (hidden when empty). */
  function say(node, text) {
    if (!node) {
      return;
    }
    node.textContent = text || "";
    node.hidden = !text;
  }

  /** Milliseconds since 1970 of a server time; a time without a zone is UTC. */
  function parseTime(value) {
    if (typeof value !== "string" || !value) {
      return NaN;
    }
    var zoned = /(Z|[+-]\d{2}:?\d{2})$/i.test(value) ? value : value + "Z";
    return Date.parse(zoned);
  }

  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }

  /** A server time as local "MM-DD HH:MM" (or "HH:MM:SS" for today). */
  function formatTime(value) {
    var ms = parseTime(value);
    if (isNaN(ms)) {
      return "";
    }
    var d = new Date(ms);
    var now = new Date();
    var clock = pad(d.getHours()) + ":" + pad(d.getMinutes());
    if (d.toDateString() === now.toDateString()) {
      return clock + ":" + pad(d.getSeconds());
    }
    return pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + " " + clock;
  }

  /** Seconds as "5 秒", "3 分 20 秒", "1 小时 5 分". */
  function formatDuration(seconds) {
    var s = Math.max(0, Math.floor(seconds));
    if (s < 60) {
      return s + " 秒";
    }
    if (s < 3600) {
      return Math.floor(s / 60) + " 分 " + (s % 60) + " 秒";
    }
    return Math.floor(s / 3600) + " 小时 " + Math.floor((s % 3600) / 60) + " 分";
  }

  /** Today's date in the browser's time zone as YYYY-MM-DD. */
  function localToday() {
    var d = new Date();
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate());
  }

  /** The Chinese half of a bilingual message ("中文。 / English."). */
  function readable(message) {
    var text = String(message || "");
    return text.split(" / ")[0].trim() || text;
  }

  /** What a user sent, with a pressed button ("/request_human") shown as 「按钮：找人工」. */
  function userWords(text) {
    var words = String(text || "");
    var payload = words.trim();
    if (/^\/[A-Za-z_]+/.test(payload)) {
      return "［按钮］" + (Object.prototype.hasOwnProperty.call(BUTTONS, payload) ? BUTTONS[payload] : payload);
    }
    return words;
  }

  function label(map, key) {
    return Object.prototype.hasOwnProperty.call(map, key) ? map[key] : String(key || "");
  }

  /** A slot value as text: lists joined, yes/no in words, nothing as a dash. */
  function valueText(value) {
    if (value === null || value === undefined || value === "") {
      return "—";
    }
    if (typeof value === "boolean") {
      return value ? "是" : "否";
    }
    if (Array.isArray(value)) {
      return value.map(valueText).join("、");
    }
    if (typeof value === "object") {
      return JSON.stringify(value);
    }
    return String(value);
  }

  // ----- the API -----

  function ApiError(status, message) {
    this.status = status;
    this.message = message;
  }

  /** Call the API with the token; 401 sends the operator back to the login form. */
  async function api(method, path, body) {
    var headers = { Accept: "application/json" };
    if (state.token) {
      headers.Authorization = "Bearer " + state.token;
    }
    var init = { method: method, headers: headers, cache: "no-store" };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    var response;
    try {
      response = await fetch(path, init);
    } catch (err) {
      throw new ApiError(0, "网络连接失败，请稍后再试。");
    }
    var data = await response.json().catch(function () {
      return null;
    });
    if (response.status === 401 && path !== API_LOGIN) {
      expire();
      throw new ApiError(401, "登录已过期，请重新登录。");
    }
    if (!response.ok) {
      var message = data && data.error && data.error.message;
      throw new ApiError(response.status, message ? readable(message) : "请求失败（HTTP " + response.status + "）。");
    }
    return data;
  }

  function showError(text) {
    say($("console-error"), text);
  }

  // ----- login -----

  function loadSession() {
    try {
      state.token = window.sessionStorage.getItem(TOKEN_KEY);
      state.username = window.sessionStorage.getItem(USER_KEY);
      state.role = window.sessionStorage.getItem(ROLE_KEY);
    } catch (err) {
      state.token = null;
    }
  }

  function saveSession() {
    try {
      window.sessionStorage.setItem(TOKEN_KEY, state.token);
      window.sessionStorage.setItem(USER_KEY, state.username);
      window.sessionStorage.setItem(ROLE_KEY, state.role || "");
    } catch (err) {
      // The token then lasts as long as the page.
    }
  }

  function forgetSession() {
    state.token = null;
    try {
      window.sessionStorage.removeItem(TOKEN_KEY);
      window.sessionStorage.removeItem(ROLE_KEY);
    } catch (err) {
      // Nothing stored.
    }
  }

  function showLogin(message) {
    $("workspace").hidden = true;
    $("account").hidden = true;
    $("login-section").hidden = false;
    say($("login-error"), message || "");
    if (state.username && !$("login-username").value) {
      $("login-username").value = state.username;
    }
    $("login-password").value = "";
    ($("login-username").value ? $("login-password") : $("login-username")).focus();
  }

  function showWorkspace() {
    $("login-section").hidden = true;
    $("workspace").hidden = false;
    $("account").hidden = false;
    say($("login-error"), "");
    $("whoami").textContent = (state.role === "admin" ? "管理员 " : "坐席 ") + (state.username || "");
    start();
  }

  /** The token is gone or expired: stop everything and ask for the password again. */
  function expire() {
    var had = !!state.token;
    forgetSession();
    stop();
    if (had) {
      showLogin("登录已过期，请重新登录。");
    }
  }

  async function login(event) {
    event.preventDefault();
    var username = $("login-username").value.trim();
    var password = $("login-password").value;
    if (!username || !password) {
      say($("login-error"), "请输入用户名和密码。");
      return;
    }
    $("login-button").disabled = true;
    say($("login-error"), "");
    try {
      var answer = await api("POST", API_LOGIN, { username: username, password: password });
      if (!answer || typeof answer.token !== "string") {
        throw new ApiError(0, "登录失败，请稍后再试。");
      }
      state.token = answer.token;
      state.username = username;
      state.role = answer.role || "operator";
      saveSession();
      showWorkspace();
    } catch (err) {
      say($("login-error"), err.status === 401 ? "用户名或密码不对。" : err.message || "登录失败，请稍后再试。");
      $("login-password").focus();
    } finally {
      $("login-button").disabled = false;
    }
  }

  function logout() {
    forgetSession();
    stop();
    showLogin("您已退出登录。");
  }

  // ----- start and stop -----

  function start() {
    showError("");
    if (page !== "console") {
      $("assist-text").focus();
      return;
    }
    connectStream();
    loadBookings();
    state.ticker = window.setInterval(tickWaited, 1000);
    state.bookingsTimer = window.setInterval(loadBookings, BOOKINGS_REFRESH_MS);
  }

  function stop() {
    stopStream();
    window.clearInterval(state.ticker);
    window.clearInterval(state.bookingsTimer);
    state.ticker = null;
    state.bookingsTimer = null;
  }

  // ----- the queue stream -----

  function setStreamStatus(kind, text) {
    var node = $("stream-status");
    if (!node) {
      return;
    }
    node.className = "stream-status " + kind;
    node.textContent = text;
  }

  function stopStream() {
    var s = state.stream;
    if (s.controller) {
      s.controller.stopped = true;
      s.controller.abort();
      s.controller = null;
    }
    window.clearTimeout(s.timer);
    window.clearTimeout(s.watchdog);
    s.timer = null;
    s.watchdog = null;
  }

  /** Parse server-sent events from text chunks; calls onEvent(type, data) for each complete event. */
  function sseParser(onEvent) {
    var buffer = "";
    var type = "";
    var data = [];

    function line(text) {
      if (text === "") {
        if (data.length) {
          onEvent(type || "message", data.join("\n"));
        }
        type = "";
        data = [];
        return;
      }
      if (text.charAt(0) === ":") {
        return; // a keepalive comment
      }
      var colon = text.indexOf(":");
      var field = colon === -1 ? text : text.slice(0, colon);
      var value = colon === -1 ? "" : text.slice(colon + 1);
      if (value.charAt(0) === " ") {
        value = value.slice(1);
      }
      if (field === "event") {
        type = value;
      } else if (field === "data") {
        data.push(value);
      }
    }

    return function push(chunk) {
      buffer += chunk;
      for (;;) {
        var match = /\r\n|\r|\n/.exec(buffer);
        if (!match) {
          return;
        }
        if (match[0] === "\r" && match.index === buffer.length - 1) {
          return; // maybe the first half of \r\n: wait for the next chunk
        }
        line(buffer.slice(0, match.index));
        buffer = buffer.slice(match.index + match[0].length);
      }
    };
  }

  function armWatchdog(controller) {
    window.clearTimeout(state.stream.watchdog);
    state.stream.watchdog = window.setTimeout(function () {
      controller.abort();
    }, STREAM_SILENCE_MS);
  }

  async function readStream(controller) {
    var response = await fetch(API_STREAM, {
      headers: { Accept: "text/event-stream", Authorization: "Bearer " + state.token },
      cache: "no-store",
      signal: controller.signal,
    });
    if (response.status === 401) {
      controller.stopped = true;
      expire();
      return;
    }
    if (!response.ok || !response.body) {
      throw new Error("HTTP " + response.status);
    }
    setStreamStatus("live", "实时更新中");
    var reader = response.body.getReader();
    var decoder = new TextDecoder("utf-8");
    var push = sseParser(function (type, data) {
      if (type !== "queue") {
        return;
      }
      var queue;
      try {
        queue = JSON.parse(data);
      } catch (err) {
        return;
      }
      state.stream.attempt = 0;
      applyQueue(queue);
    });
    armWatchdog(controller);
    for (;;) {
      var chunk = await reader.read();
      if (chunk.done) {
        break;
      }
      armWatchdog(controller);
      push(decoder.decode(chunk.value, { stream: true }));
    }
    throw new Error("stream ended");
  }

  function connectStream() {
    stopStream();
    if (!state.token) {
      return;
    }
    var controller = new AbortController();
    state.stream.controller = controller;
    setStreamStatus("", "正在连接…");
    readStream(controller).catch(function () {
      if (controller.stopped || !state.token) {
        return;
      }
      window.clearTimeout(state.stream.watchdog);
      scheduleReconnect();
    });
  }

  /** Reconnect after a pause that doubles each time (with a little jitter); refresh the lists meanwhile. */
  function scheduleReconnect() {
    var s = state.stream;
    var delay = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * Math.pow(2, s.attempt));
    delay += Math.floor(Math.random() * 500);
    s.attempt += 1;
    setStreamStatus("down", "连接中断，" + Math.ceil(delay / 1000) + " 秒后重连");
    s.timer = window.setTimeout(connectStream, delay);
    pollQueue();
  }

  /** Read the queue with plain requests (used while the stream is down). */
  async function pollQueue() {
    try {
      var lists = await Promise.all([
        api("GET", API_HANDOFFS + "?status=waiting"),
        api("GET", API_HANDOFFS + "?status=active"),
      ]);
      applyQueue({ waiting: lists[0], active: lists[1] });
    } catch (err) {
      // The stream's reconnect tries again.
    }
  }

  // ----- the queue -----

  function applyQueue(queue) {
    state.waiting = Array.isArray(queue && queue.waiting) ? queue.waiting : [];
    state.active = Array.isArray(queue && queue.active) ? queue.active : [];
    state.receivedAt = Date.now();
    renderQueue();
    followSelected();
  }

  function isMine(ticket) {
    return !!ticket && ticket.status === "active" && ticket.operator === state.username;
  }

  function findTicket(id) {
    var all = state.waiting.concat(state.active);
    for (var i = 0; i < all.length; i += 1) {
      if (all[i] && all[i].id === id) {
        return all[i];
      }
    }
    return null;
  }

  /** One ticket as a list item: priority, reason, channel, time, the user's last words, its buttons. */
  function ticketItem(ticket, kind) {
    var priority = Object.prototype.hasOwnProperty.call(PRIORITY, ticket.priority) ? ticket.priority : "normal";
    var item = el("li", "ticket priority-" + priority);
    item.setAttribute("data-ticket-id", String(ticket.id));
    item.tabIndex = 0;
    if (state.selected && state.selected.id === ticket.id) {
      item.classList.add("selected");
    }
    var head = el("div", "ticket-head");
    var badge = el("span", "badge badge-" + priority, label(PRIORITY, ticket.priority));
    head.appendChild(badge);
    head.appendChild(el("span", "reason", label(REASON, ticket.reason)));
    if (kind === "waiting") {
      var waited = el("span", "waited");
      waited.setAttribute("data-waiting-s", String(Number(ticket.waiting_s) || 0));
      head.appendChild(waited);
    }
    item.appendChild(head);
    if (ticket.summary) {
      item.appendChild(el("p", "summary", "摘要：" + ticket.summary));
    }
    if (ticket.last_user_text) {
      item.appendChild(el("p", "last-text", userWords(ticket.last_user_text)));
    }
    var meta = "#" + ticket.id + " · " + label(CHANNEL, ticket.channel);
    if (kind !== "waiting" && ticket.operator) {
      meta += " · 坐席 " + ticket.operator;
    }
    if (kind === "closed" && ticket.resolution) {
      meta += " · " + ticket.resolution;
    }
    var when = kind === "closed" ? ticket.closed_at : kind === "waiting" ? ticket.created_at : ticket.claimed_at;
    if (when) {
      meta += " · " + formatTime(when);
    }
    item.appendChild(el("p", "ticket-meta", meta));
    var actions = el("div", "ticket-actions");
    if (kind === "waiting") {
      var claimButton = el("button", "claim", "接入");
      claimButton.type = "button";
      claimButton.addEventListener("click", function (event) {
        event.stopPropagation();
        claim(ticket, claimButton);
      });
      actions.appendChild(claimButton);
    }
    var open = el("button", "secondary small open", kind === "active" ? "打开" : "查看");
    open.type = "button";
    open.addEventListener("click", function (event) {
      event.stopPropagation();
      select(ticket);
    });
    actions.appendChild(open);
    item.appendChild(actions);
    item.addEventListener("click", function () {
      select(ticket);
    });
    item.addEventListener("keydown", function (event) {
      if (event.target === item && (event.key === "Enter" || event.key === " ")) {
        event.preventDefault();
        select(ticket);
      }
    });
    return item;
  }

  function renderList(listId, emptyId, countId, tickets, kind) {
    var list = $(listId);
    clear(list);
    tickets.forEach(function (ticket) {
      if (ticket && ticket.id !== undefined) {
        list.appendChild(ticketItem(ticket, kind));
      }
    });
    if (emptyId) {
      $(emptyId).hidden = tickets.length > 0;
    }
    if (countId) {
      $(countId).textContent = String(tickets.length);
    }
  }

  function renderQueue() {
    var mine = state.active.filter(isMine);
    var others = state.active.filter(function (t) {
      return !isMine(t);
    });
    renderList("queue", "queue-empty", "queue-count", state.waiting, "waiting");
    renderList("active", "active-empty", "active-count", mine, "active");
    renderList("others", null, "others-count", others, "others");
    tickWaited();
    document.title = (state.waiting.length ? "(" + state.waiting.length + ") " : "") + "坐席工作台 · 养老服务小助手";
  }

  /** Update the waited times in the queue once a second. */
  function tickWaited() {
    var spans = document.querySelectorAll("#queue .waited");
    var extra = state.receivedAt ? (Date.now() - state.receivedAt) / 1000 : 0;
    for (var i = 0; i < spans.length; i += 1) {
      var seconds = Number(spans[i].getAttribute("data-waiting-s")) + extra;
      spans[i].textContent = "已等 " + formatDuration(seconds);
      spans[i].classList.toggle("overdue", seconds >= OVERDUE_S);
    }
  }

  async function claim(ticket, button) {
    button.disabled = true;
    showError("");
    try {
      var claimed = await api("POST", API_HANDOFFS + "/" + encodeURIComponent(ticket.id) + "/claim");
      // Show it at once; the stream's next event confirms it.
      state.waiting = state.waiting.filter(function (t) {
        return t.id !== claimed.id;
      });
      state.active = state.active
        .filter(function (t) {
          return t.id !== claimed.id;
        })
        .concat([claimed]);
      renderQueue();
      select(claimed);
      $("reply-text").focus();
    } catch (err) {
      showError("接入失败：" + err.message);
      button.disabled = false;
    }
  }

  async function loadClosed() {
    var list = $("closed");
    try {
      var tickets = await api("GET", API_HANDOFFS + "?status=closed");
      tickets = Array.isArray(tickets) ? tickets.slice() : [];
      tickets.sort(function (a, b) {
        return (parseTime(b.closed_at) || 0) - (parseTime(a.closed_at) || 0);
      });
      renderList("closed", "closed-empty", null, tickets.slice(0, CLOSED_SHOWN), "closed");
    } catch (err) {
      clear(list);
      list.appendChild(el("li", "empty", "读取失败：" + err.message));
    }
  }

  // ----- the selected ticket -----

  function select(ticket) {
    var changed = !state.selected || state.selected.id !== ticket.id;
    state.selected = ticket;
    if (changed) {
      state.suggestedFor = null;
      clear($("transcript"));
      say($("reply-error"), "");
      say($("close-error"), "");
      $("resolution").value = "";
      resetHelp("正在读取…", "loading");
    }
    var items = document.querySelectorAll("li.ticket");
    for (var i = 0; i < items.length; i += 1) {
      items[i].classList.toggle("selected", items[i].getAttribute("data-ticket-id") === String(ticket.id));
    }
    renderTicketInfo();
    loadConversation();
  }

  /** After a queue event: follow the selected ticket's changes (or its end). */
  function followSelected() {
    var selected = state.selected;
    if (!selected || selected.status === "closed") {
      return;
    }
    var now = findTicket(selected.id);
    if (!now) {
      // Gone from the queue: closed, released, or given up; show the final messages once more.
      state.selected = Object.assign({}, selected, { status: "closed" });
      renderTicketInfo();
      loadConversation();
      return;
    }
    var changed =
      now.updated_at !== selected.updated_at ||
      now.status !== selected.status ||
      now.operator !== selected.operator ||
      now.last_user_text !== selected.last_user_text;
    state.selected = now;
    if (changed) {
      renderTicketInfo();
      loadConversation();
    }
  }

  function renderTicketInfo() {
    var ticket = state.selected;
    var info = $("ticket-info");
    clear(info);
    $("ticket-empty").hidden = !!ticket;
    info.hidden = !ticket;
    if (ticket) {
      var status = label(STATUS, ticket.status);
      if (ticket.status === "active" && ticket.operator) {
        status += isMine(ticket) ? "（您）" : "（坐席 " + ticket.operator + "）";
      }
      info.appendChild(
        el(
          "p",
          "ticket-line",
          "工单 #" + ticket.id + " · " + label(PRIORITY, ticket.priority) + " · " + label(REASON, ticket.reason) + " · " + status
        )
      );
      info.appendChild(el("p", "ticket-meta", "用户 " + ticket.sender_id + " · " + label(CHANNEL, ticket.channel)));
    }
    updateControls();
  }

  function updateControls() {
    var ticket = state.selected;
    var mine = isMine(ticket);
    var canClose = !!ticket && (ticket.status === "waiting" || mine);
    $("reply-send").disabled = !mine;
    $("release-button").disabled = !mine;
    $("close-button").disabled = !canClose;
    $("reply-text").placeholder = mine
      ? "在这里回复用户（可先点右边建议里的「插入」再修改）"
      : ticket && ticket.status === "closed"
        ? "这个工单已经结束"
        : "接入工单后在这里回复用户";
  }

  async function loadConversation() {
    var ticket = state.selected;
    if (!ticket) {
      return;
    }
    var seq = (state.conversationSeq += 1);
    try {
      var conversation = await api("GET", API_CONVERSATIONS + encodeURIComponent(ticket.sender_id));
      if (seq !== state.conversationSeq || !state.selected || state.selected.id !== ticket.id) {
        return; // a newer read, or another ticket, came meanwhile
      }
      renderTranscript(conversation);
      renderProfile(conversation, ticket);
      suggestForLatest(conversation);
    } catch (err) {
      if (seq === state.conversationSeq) {
        showError("读取对话失败：" + err.message);
      }
    }
  }

  function renderCitations(citations) {
    var box = el("div", "citations");
    var list = el("ul");
    (Array.isArray(citations) ? citations : []).forEach(function (c) {
      if (!c || typeof c !== "object") {
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
      var item = el("li", "citation");
      item.appendChild(el("p", "cite-title", head));
      if (c.quote) {
        item.appendChild(el("blockquote", "cite-quote", "“" + c.quote + "”"));
      }
      list.appendChild(item);
    });
    if (!list.firstChild) {
      box.appendChild(el("p", "empty", "没有引用的文件。"));
    } else {
      box.appendChild(list);
    }
    return box;
  }

  function renderTranscript(conversation) {
    var box = $("transcript");
    var atEnd = box.scrollHeight - box.scrollTop - box.clientHeight < 40 || !box.firstChild;
    clear(box);
    if (conversation.masked) {
      box.appendChild(el("p", "masked-note", "未接入本工单：电话号码和身份证号已隐藏。"));
    }
    var messages = Array.isArray(conversation.messages) ? conversation.messages : [];
    if (!messages.length) {
      box.appendChild(el("p", "empty", "还没有对话记录。"));
    }
    messages.forEach(function (m) {
      var payload = m.payload && typeof m.payload === "object" ? m.payload : {};
      var operator = m.direction === "out" && typeof payload.operator === "string" && payload.operator;
      var kind = m.direction === "in" ? "in" : operator ? "operator" : "out";
      var item = el("div", "msg " + kind + (payload.emergency === true ? " emergency" : ""));
      item.setAttribute("data-message-id", String(m.id));
      var who = kind === "in" ? "用户" : kind === "operator" ? "坐席 " + operator : "机器人";
      item.appendChild(el("p", "msg-meta", who + " · " + formatTime(m.created_at)));
      item.appendChild(el("p", "msg-text", kind === "in" ? userWords(m.text) : m.text));
      var buttons = Array.isArray(payload.buttons) ? payload.buttons : [];
      var titles = buttons
        .filter(function (b) {
          return b && typeof b.title === "string";
        })
        .map(function (b) {
          return b.title;
        });
      if (titles.length) {
        item.appendChild(el("p", "msg-buttons", "按钮：" + titles.join(" / ")));
      }
      if (Array.isArray(payload.citations) && payload.citations.length) {
        var details = el("details", "msg-sources");
        details.appendChild(el("summary", null, "来源（" + payload.citations.length + " 条）"));
        details.appendChild(renderCitations(payload.citations));
        item.appendChild(details);
      }
      box.appendChild(item);
    });
    if (atEnd) {
      box.scrollTop = box.scrollHeight;
    }
  }

  function renderProfile(conversation, ticket) {
    var box = $("profile");
    clear(box);
    var profile = conversation.profile && typeof conversation.profile === "object" ? conversation.profile : {};
    var dl = el("dl");
    function row(name, value) {
      dl.appendChild(el("dt", null, name));
      dl.appendChild(el("dd", null, value));
    }
    row("用户", conversation.sender_id || ticket.sender_id);
    row("渠道", label(CHANNEL, ticket.channel));
    row("地区", profile.region ? profile.region : "未知");
    (Array.isArray(profile.slots) ? profile.slots : []).forEach(function (slot) {
      if (!slot || slot.name === "region") {
        return;
      }
      row(slot.label || slot.name || "", valueText(slot.value));
    });
    box.appendChild(dl);
    if (conversation.masked) {
      box.appendChild(el("p", "masked-note", "接入后可看到完整的电话号码。"));
    }
  }

  // ----- suggestions, catalog and eligibility -----

  /** Empty the help panels and say why (a "loading" note while suggestions are on their way). */
  function resetHelp(text, className) {
    var s = $("suggestions");
    clear(s);
    s.appendChild(el("p", className || "empty", text));
    clear($("catalog"));
    clear($("eligibility"));
  }

  function suggestForLatest(conversation) {
    var messages = Array.isArray(conversation.messages) ? conversation.messages : [];
    var latest = null;
    for (var i = messages.length - 1; i >= 0; i -= 1) {
      // A pressed button is logged as its payload ("/request_human"): not the user's own words.
      var text = typeof messages[i].text === "string" ? messages[i].text.trim() : "";
      if (messages[i].direction === "in" && text && text.charAt(0) !== "/") {
        latest = messages[i];
        break;
      }
    }
    if (!latest) {
      resetHelp("用户还没有说话。");
      return;
    }
    if (state.suggestedFor === latest.id) {
      return;
    }
    state.suggestedFor = latest.id;
    var profile = conversation.profile && typeof conversation.profile === "object" ? conversation.profile : {};
    loadSuggestions(latest.text, profile.region || null);
  }

  async function loadSuggestions(text, region) {
    var seq = (state.suggestionSeq += 1);
    resetHelp("正在查找建议…", "loading");
    var body = { text: text };
    if (region) {
      body.region = region;
    }
    try {
      var answer = await api("POST", API_SUGGESTIONS, body);
      if (seq === state.suggestionSeq) {
        renderHelp(answer || {});
      }
    } catch (err) {
      if (seq === state.suggestionSeq) {
        resetHelp("暂时查不到建议：" + err.message);
        if (page === "console") {
          state.suggestedFor = null; // try again on the next change
        }
      }
    }
  }

  /** Put a suggestion's text into the reply box for editing. */
  function insertReply(text) {
    var box = $("reply-text");
    box.value = box.value.trim() ? box.value.replace(/\s+$/, "") + "\n" + text : text;
    box.focus();
    box.setSelectionRange(box.value.length, box.value.length);
  }

  function renderHelp(answer) {
    var s = $("suggestions");
    clear(s);
    if (answer.intent && typeof answer.intent === "object" && answer.intent.name) {
      var confidence = Number(answer.intent.confidence);
      s.appendChild(
        el(
          "p",
          "intent",
          "识别意图：" + answer.intent.name + (isFinite(confidence) ? "（" + Math.round(confidence * 100) + "%）" : "")
        )
      );
    }
    var suggestions = Array.isArray(answer.suggestions) ? answer.suggestions.slice(0, 3) : [];
    if (!suggestions.length) {
      s.appendChild(el("p", "empty", "没有找到合适的建议，请根据政策文件自己回复。"));
    }
    suggestions.forEach(function (suggestion, index) {
      if (!suggestion || typeof suggestion.text !== "string") {
        return;
      }
      var card = el("div", "suggestion");
      card.setAttribute("data-index", String(index));
      card.appendChild(el("p", "suggestion-text", suggestion.text));
      card.appendChild(renderCitations(suggestion.citations));
      if ($("reply-text")) {
        var insert = el("button", "insert small", "插入");
        insert.type = "button";
        insert.addEventListener("click", function () {
          insertReply(suggestion.text);
        });
        card.appendChild(insert);
      }
      s.appendChild(card);
    });

    var catalog = $("catalog");
    clear(catalog);
    var services = Array.isArray(answer.catalog) ? answer.catalog : [];
    if (!services.length) {
      catalog.appendChild(el("p", "empty", "没有相关的服务。"));
    }
    services.forEach(function (service) {
      if (!service) {
        return;
      }
      var card = el("div", "card");
      if (service.id !== undefined && service.id !== null) {
        card.setAttribute("data-service-id", String(service.id));
      }
      var name = el("h3", "card-name");
      if (service.kind) {
        name.appendChild(el("span", "badge", label(KIND, service.kind)));
        name.appendChild(document.createTextNode(" "));
      }
      name.appendChild(document.createTextNode(String(service.name || service.id || "")));
      card.appendChild(name);
      if (service.summary) {
        card.appendChild(el("p", "card-summary", service.summary));
      }
      if (Array.isArray(service.citations) && service.citations.length) {
        card.appendChild(renderCitations(service.citations));
      }
      catalog.appendChild(card);
    });

    var eligibility = $("eligibility");
    clear(eligibility);
    var check = answer.eligibility && typeof answer.eligibility === "object" ? answer.eligibility : null;
    if (!check) {
      eligibility.appendChild(el("p", "empty", "这个问题不涉及补贴判断。"));
      return;
    }
    if (check.summary) {
      eligibility.appendChild(el("p", "eligibility-summary", check.summary));
    }
    var list = el("ul");
    (Array.isArray(check.items) ? check.items : []).forEach(function (item) {
      if (!item) {
        return;
      }
      var verdict = String(item.verdict || "");
      var key = verdict.toLowerCase();
      var li = el("li", "eligibility-item");
      li.appendChild(el("strong", "benefit", item.benefit || ""));
      li.appendChild(
        el("span", "verdict" + (VERDICT_CLASS[key] ? " verdict-" + VERDICT_CLASS[key] : ""), label(VERDICT_LABEL, key) || verdict)
      );
      if (item.reason) {
        li.appendChild(el("span", "reason-text", item.reason));
      }
      list.appendChild(li);
    });
    if (list.firstChild) {
      eligibility.appendChild(list);
    }
  }

  // ----- replying, releasing, closing -----

  async function sendReply(event) {
    event.preventDefault();
    var ticket = state.selected;
    var box = $("reply-text");
    var text = box.value.trim();
    if (!isMine(ticket)) {
      say($("reply-error"), "请先接入这个工单。");
      return;
    }
    if (!text) {
      say($("reply-error"), "请输入回复内容。");
      box.focus();
      return;
    }
    say($("reply-error"), "");
    $("reply-send").disabled = true;
    try {
      await api("POST", API_HANDOFFS + "/" + encodeURIComponent(ticket.id) + "/messages", { text: text });
      if (box.value.trim() === text) {
        box.value = "";
      }
      loadConversation();
    } catch (err) {
      say($("reply-error"), "发送失败：" + err.message);
    } finally {
      updateControls();
    }
  }

  /** After a release or close: the ticket as the server now has it. */
  function ended(ticket) {
    state.active = state.active.filter(function (t) {
      return t.id !== ticket.id;
    });
    state.waiting = state.waiting.filter(function (t) {
      return t.id !== ticket.id;
    });
    renderQueue();
    if (state.selected && state.selected.id === ticket.id) {
      state.selected = Object.assign({}, state.selected, ticket, { status: "closed" });
      renderTicketInfo();
      loadConversation();
    }
    if ($("closed-panel").open) {
      loadClosed();
    }
  }

  async function release() {
    var ticket = state.selected;
    if (!isMine(ticket)) {
      return;
    }
    $("release-button").disabled = true;
    say($("reply-error"), "");
    try {
      ended(await api("POST", API_HANDOFFS + "/" + encodeURIComponent(ticket.id) + "/release"));
    } catch (err) {
      say($("reply-error"), "转回失败：" + err.message);
    } finally {
      updateControls();
    }
  }

  async function closeTicket(event) {
    event.preventDefault();
    var ticket = state.selected;
    var resolution = $("resolution").value.trim();
    if (!ticket) {
      return;
    }
    if (!resolution) {
      say($("close-error"), "请写明处理结果。");
      $("resolution").focus();
      return;
    }
    say($("close-error"), "");
    $("close-button").disabled = true;
    try {
      ended(await api("POST", API_HANDOFFS + "/" + encodeURIComponent(ticket.id) + "/close", { resolution: resolution }));
      $("resolution").value = "";
    } catch (err) {
      say($("close-error"), "结束失败：" + err.message);
    } finally {
      updateControls();
    }
  }

  // ----- bookings -----

  async function loadBookings(event) {
    if (event && event.preventDefault) {
      event.preventDefault();
    }
    var dateBox = $("bookings-date");
    if (!dateBox.value) {
      dateBox.value = localToday();
    }
    var box = $("bookings");
    try {
      var bookings = await api("GET", API_BOOKINGS + "?date=" + encodeURIComponent(dateBox.value));
      renderBookings(Array.isArray(bookings) ? bookings : []);
    } catch (err) {
      clear(box);
      box.appendChild(el("p", "form-error", "读取预约失败：" + err.message));
    }
  }

  function renderBookings(bookings) {
    var box = $("bookings");
    clear(box);
    if (!bookings.length) {
      box.appendChild(el("p", "empty", "这一天没有预约。"));
      return;
    }
    var columns = [
      ["时段", "half_day_label"],
      ["服务", "service_label"],
      ["状态", "status_label"],
      ["联系人", "contact_name"],
      ["电话", "phone"],
      ["地区", "region"],
      ["地址", "address"],
      ["编号", "reference"],
      ["渠道", "channel"],
    ];
    var table = el("table");
    var head = el("tr");
    columns.forEach(function (c) {
      head.appendChild(el("th", null, c[0]));
    });
    var thead = el("thead");
    thead.appendChild(head);
    table.appendChild(thead);
    var tbody = el("tbody");
    bookings.forEach(function (b) {
      var tr = el("tr", "booking");
      if (b.reference) {
        tr.setAttribute("data-reference", String(b.reference));
      }
      columns.forEach(function (c) {
        var value = b[c[1]];
        if (c[1] === "channel") {
          value = label(CHANNEL, value);
        }
        tr.appendChild(el("td", null, valueText(value)));
      });
      tbody.appendChild(tr);
    });
    table.appendChild(tbody);
    box.appendChild(table);
  }

  // ----- the hotline assist page -----

  async function assist(event) {
    event.preventDefault();
    var text = $("assist-text").value.trim();
    var region = $("assist-region").value.trim();
    if (!text) {
      say($("assist-error"), "请先记下来电人的问题。");
      $("assist-text").focus();
      return;
    }
    say($("assist-error"), "");
    $("assist-submit").disabled = true;
    try {
      await loadSuggestions(text, region || null);
    } finally {
      $("assist-submit").disabled = false;
    }
  }

  // ----- wiring -----

  $("login-form").addEventListener("submit", login);
  $("logout-button").addEventListener("click", logout);

  if (page === "console") {
    $("reply-form").addEventListener("submit", sendReply);
    $("reply-text").addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && !event.isComposing) {
        event.preventDefault();
        $("reply-form").requestSubmit();
      }
    });
    $("release-button").addEventListener("click", release);
    $("close-form").addEventListener("submit", closeTicket);
    $("bookings-form").addEventListener("submit", loadBookings);
    $("bookings-date").addEventListener("change", loadBookings);
    $("closed-panel").addEventListener("toggle", function () {
      if ($("closed-panel").open) {
        loadClosed();
      }
    });
  } else {
    $("assist-form").addEventListener("submit", assist);
    $("assist-text").addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && !event.isComposing) {
        event.preventDefault();
        $("assist-form").requestSubmit();
      }
    });
  }

  loadSession();
  if (state.token) {
    showWorkspace();
  } else {
    showLogin("");
  }
})();
