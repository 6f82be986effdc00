// String Hashr: the rate field, the live results stream and the statistics panel.
// Plain JavaScript served by the frontend itself: no framework, no CDN (air-gapped clusters).
"use strict";

(() => {
  const MAX_ITEMS = 200;            // the list keeps the newest 200 hashes
  const BURST_PREFIX = "bursty-";   // what burst workers put before each hash
  const STATS_INTERVAL_MS = 1000;
  const CHART_SECONDS = 60;
  const COLORS = { primary: "#2f5bd3", burst: "#ee7a1a", sent: "#8a94a6", grid: "#e3e8f1", label: "#98a3b5" };

  const byId = (id) => document.getElementById(id);
  const ui = {
    form: byId("rate-form"),
    input: byId("rate-input"),
    message: byId("rate-message"),
    status: byId("connection-status"),
    list: byId("results"),
    count: byId("results-count"),
    target: byId("target-rate"),
    achieved: byId("achieved-rate"),
    succeeded: byId("succeeded"),
    failed: byId("failed"),
    dropped: byId("dropped"),
    inFlight: byId("in-flight"),
    p50: byId("p50"),
    p99: byId("p99"),
    sharePrimary: byId("share-primary"),
    shareBurst: byId("share-burst"),
    shareCaption: byId("share-caption"),
    barPrimary: byId("share-bar-primary"),
    barBurst: byId("share-bar-burst"),
    chart: byId("share-chart"),
    keyForm: byId("key-form"),
    keyInput: byId("key-input"),
    keyMessage: byId("key-message"),
  };

  // ---- Formatting -------------------------------------------------------------------------------

  const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
  const oneDecimal = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 });

  function formatRate(value) {
    if (!Number.isFinite(value)) return "–";
    return value >= 100 ? integer.format(value) : oneDecimal.format(value);
  }

  function formatMilliseconds(value) {
    if (!Number.isFinite(value)) return "–";
    if (value < 10) return value.toFixed(2);
    if (value < 100) return value.toFixed(1);
    return integer.format(value);
  }

  function formatShare(value) {
    return Number.isFinite(value) ? Math.round(value * 100) + "%" : "–";
  }

  function byReason(counts) {
    return Object.entries(counts || {})
      .filter(([, count]) => count > 0)
      .map(([reason, count]) => `${reason}: ${integer.format(count)}`)
      .join(", ");
  }

  // ---- The rate ---------------------------------------------------------------------------------

  function showMessage(text, kind) {
    ui.message.textContent = text;
    ui.message.className = "message" + (kind ? " " + kind : "");
  }

  function showRate(rps) {
    // Never overwrite what someone is typing.
    if (document.activeElement === ui.input) return;
    const text = String(rps);
    if (ui.input.value !== text) ui.input.value = text;
  }

  async function loadRate() {
    try {
      const response = await fetch("api/rate", { cache: "no-store" });
      if (response.ok) showRate((await response.json()).rps);
    } catch (error) {
      // The statistics poll reports the connection; the field simply stays empty.
    }
  }

  // ---- The rate-control key ----------------------------------------------------------------------
  // Asked for only when the frontend says it needs one; kept for this tab in sessionStorage (never in
  // the URL, never in localStorage), sent as a Bearer header, forgotten when the frontend refuses it.

  const KEY_STORAGE = "string-hashr.rate-control-key";
  let keyRequired = false;
  let pendingRate = null;   // a rate typed before the key was given, sent once it is

  function storedKey() {
    try {
      return sessionStorage.getItem(KEY_STORAGE) || "";
    } catch (error) {
      return "";   // storage disabled: the key lasts until the page reloads
    }
  }

  let memoryKey = "";
  function currentKey() { return storedKey() || memoryKey; }

  function storeKey(key) {
    memoryKey = key;
    try {
      if (key) sessionStorage.setItem(KEY_STORAGE, key);
      else sessionStorage.removeItem(KEY_STORAGE);
    } catch (error) {
      // Kept in memory only.
    }
  }

  function askForKey(text, kind) {
    ui.keyForm.hidden = false;
    ui.keyMessage.textContent = text;
    ui.keyMessage.className = "message" + (kind ? " " + kind : "");
  }

  function useKey(event) {
    event.preventDefault();
    const key = ui.keyInput.value.trim();
    // A header carries visible ASCII only; anything else could never be the key.
    if (!/^[\x21-\x7e]+$/.test(key)) {
      askForKey(key === "" ? "Type the key." : "A key has only visible ASCII characters, no spaces.", "error");
      return;
    }
    storeKey(key);
    ui.keyInput.value = "";
    ui.keyForm.hidden = true;
    if (pendingRate !== null) {
      const rps = pendingRate;
      pendingRate = null;
      sendRate(rps);
    } else {
      showMessage("Key saved for this tab. Type a rate and press Enter.", "ok");
    }
  }

  function rateControlIs(mode) {
    keyRequired = mode === "token";
    if (keyRequired && !currentKey() && ui.keyForm.hidden) askForKey("Changing the rate on this demo needs its key.");
    if (!keyRequired) ui.keyForm.hidden = true;
  }

  async function setRate(event) {
    event.preventDefault();
    const text = ui.input.value.trim();
    if (text === "") {
      showMessage("Type a number of requests per second.", "error");
      return;
    }
    const rps = Number(text);
    if (keyRequired && !currentKey()) {
      pendingRate = rps;
      askForKey("Enter the key to change the rate.");
      showMessage("This demo needs its rate-control key.", "error");
      ui.keyInput.focus();
      return;
    }
    sendRate(rps);
  }

  async function sendRate(rps) {
    const headers = { "Content-Type": "application/json" };
    const key = currentKey();
    if (key) headers.Authorization = "Bearer " + key;
    try {
      const response = await fetch("api/rate", { method: "PUT", headers, body: JSON.stringify({ rps }) });
      const body = await response.json().catch(() => ({}));
      if (response.ok) {
        const rate = typeof body.rps === "number" ? body.rps : rps;
        showMessage(rate === 0 ? "Stopped." : `Sending ${formatRate(rate)} requests per second.`, "ok");
        ui.input.value = String(rate);
      } else if (response.status === 401) {
        // Wrong, rotated or missing: forget it and ask again; the rate is sent once a key is given.
        storeKey("");
        keyRequired = true;
        pendingRate = rps;
        showMessage("The rate was not changed: the key was not accepted.", "error");
        askForKey(key ? "That key was not accepted. Enter it again." : "Changing the rate on this demo needs its key.", "error");
        ui.keyInput.focus();
      } else {
        showMessage(body.error || `The frontend answered ${response.status}.`, "error");
      }
    } catch (error) {
      showMessage("Cannot reach the frontend.", "error");
    }
  }

  ui.form.addEventListener("submit", setRate);
  ui.keyForm.addEventListener("submit", useKey);

  // ---- Connection state -------------------------------------------------------------------------

  let streamOpen = false;
  let statsFailures = 0;
  let everConnected = false;

  function updateStatus() {
    // Connected means results can arrive and the figures are live; either failing is worth saying.
    const connected = streamOpen && statsFailures < 2;
    everConnected = everConnected || connected;
    const text = connected ? "connected" : "disconnected";
    if (ui.status.textContent !== text) {
      ui.status.textContent = text;
      ui.status.className = "status status-" + text;
      document.body.classList.toggle("offline", !connected);
    }
    // No banner while the page is still connecting for the first time, unless that takes long.
    byId("offline-banner").hidden = connected || !(everConnected || performance.now() > 5000);
  }

  // ---- The results stream -----------------------------------------------------------------------

  let source = null;
  let reconnectDelay = 1000;
  let pending = [];
  let received = 0;
  let frameRequested = false;

  function connect() {
    source = new EventSource("api/results");
    source.addEventListener("open", () => {
      streamOpen = true;
      reconnectDelay = 1000;
      updateStatus();
    });
    source.addEventListener("calculation", (event) => enqueue(event.data));
    source.addEventListener("error", () => {
      streamOpen = false;
      updateStatus();
      // While CONNECTING the browser retries by itself. CLOSED means it gave up (an answer that was
      // not an event stream, say a 503 from a restarting pod): start over, backing off to 15 s.
      if (source.readyState === EventSource.CLOSED) {
        source.close();
        setTimeout(connect, reconnectDelay);
        reconnectDelay = Math.min(reconnectDelay * 2, 15000);
      }
    });
  }

  function enqueue(message) {
    received += 1;
    pending.push(message);
    // Only the newest MAX_ITEMS can ever be shown; keep a hidden tab's backlog bounded.
    if (pending.length > 2 * MAX_ITEMS) pending = pending.slice(-MAX_ITEMS);
    if (!frameRequested) {
      frameRequested = true;
      requestAnimationFrame(render);
    }
  }

  // One DOM update per animation frame, however many messages arrived: thousands per second cost
  // at most MAX_ITEMS node updates sixty times a second, and list items are recycled, not recreated.
  function render() {
    frameRequested = false;
    const batch = pending.length > MAX_ITEMS ? pending.slice(-MAX_ITEMS) : pending;
    pending = [];

    const recycled = [];
    let excess = ui.list.childElementCount + batch.length - MAX_ITEMS;
    while (excess > 0 && ui.list.lastElementChild) {
      recycled.push(ui.list.removeChild(ui.list.lastElementChild));
      excess -= 1;
    }

    const fragment = document.createDocumentFragment();
    for (let index = batch.length - 1; index >= 0; index -= 1) {
      const message = batch[index];
      const item = recycled.pop() || document.createElement("li");
      item.textContent = message; // text, never HTML: a message is whatever was published to Redis
      item.title = message; // the whole message on hover where a narrow window cuts it short
      item.className = message.startsWith(BURST_PREFIX) ? "burst" : "primary";
      fragment.appendChild(item);
    }
    ui.list.insertBefore(fragment, ui.list.firstChild);
    ui.count.textContent = integer.format(received);
  }

  // ---- Statistics -------------------------------------------------------------------------------

  let lastHistory = [];

  function showStats(stats) {
    ui.target.textContent = formatRate(stats.targetRate);
    ui.achieved.textContent = formatRate(stats.achievedRate);
    ui.succeeded.textContent = integer.format(stats.succeeded);
    ui.failed.textContent = integer.format(stats.failed);
    ui.failed.title = byReason(stats.failedByReason);
    ui.failed.classList.toggle("warn", stats.failed > 0);
    ui.dropped.textContent = integer.format(stats.dropped);
    ui.dropped.title = byReason(stats.droppedByReason);
    ui.dropped.classList.toggle("warn", stats.dropped > 0);
    ui.inFlight.textContent = integer.format(stats.inFlight);

    const latency = stats.latency || {};
    const hasLatency = latency.count > 0;
    ui.p50.textContent = hasLatency ? formatMilliseconds(latency.p50) : "–";
    ui.p99.textContent = hasLatency ? formatMilliseconds(latency.p99) : "–";

    const hasShare = stats.primaryShare + stats.burstShare > 0;
    ui.sharePrimary.textContent = hasShare ? formatShare(stats.primaryShare) : "–";
    ui.shareBurst.textContent = hasShare ? formatShare(stats.burstShare) : "–";
    ui.barPrimary.style.width = (hasShare ? stats.primaryShare * 100 : 0) + "%";
    ui.barBurst.style.width = (hasShare ? stats.burstShare * 100 : 0) + "%";
    ui.shareCaption.textContent = `share of results, last ${stats.shareWindowSeconds} s`;

    showRate(stats.targetRate);
    lastHistory = stats.history || [];
    drawChart(lastHistory);
  }

  async function pollStats() {
    try {
      const response = await fetch("api/stats", { cache: "no-store" });
      if (!response.ok) throw new Error(String(response.status));
      const stats = await response.json();
      showStats(stats);
      // Connected to us, but results cannot flow: say why rather than show a quiet list.
      byId("redis-banner").hidden = stats.redisConnected !== false;
      rateControlIs(stats.rateControl);
      statsFailures = 0;
    } catch (error) {
      statsFailures += 1;
    }
    updateStatus();
    setTimeout(pollStats, STATS_INTERVAL_MS);
  }

  // ---- The chart: results per second, primary and burst stacked, with the send rate as a line ----

  // A round step for the y axis giving at most five intervals: 1, 2 or 5 times a power of ten.
  function axisStep(peak) {
    if (peak <= 5) return 1;
    const magnitude = Math.pow(10, Math.floor(Math.log10(peak / 5)));
    for (const multiple of [1, 2, 5, 10]) {
      if (multiple * magnitude * 5 >= peak) return multiple * magnitude;
    }
    return 10 * magnitude;
  }

  function drawChart(history) {
    const canvas = ui.chart;
    const ratio = window.devicePixelRatio || 1;
    const width = canvas.clientWidth;
    const height = canvas.clientHeight;
    if (width === 0 || height === 0) return;
    if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(height * ratio);
    }
    const context = canvas.getContext("2d");
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.clearRect(0, 0, width, height);

    // Always sixty slots, oldest left, so the time axis does not stretch while history fills up.
    const samples = history.slice(-CHART_SECONDS);
    const slots = new Array(CHART_SECONDS - samples.length).fill(null).concat(samples);
    const peak = Math.max(1, ...samples.map((s) => Math.max(s.primary + s.burst, s.sent)));
    const step = axisStep(peak);
    const top = step * Math.max(1, Math.ceil(peak / step));

    const left = 46, right = 8, upper = 8, lower = 22;
    const plotWidth = width - left - right;
    const plotHeight = height - upper - lower;
    const y = (value) => upper + plotHeight * (1 - value / top);

    context.font = "11px system-ui, sans-serif";
    context.textBaseline = "middle";
    context.textAlign = "right";
    for (let value = 0; value <= top; value += step) {
      const position = Math.round(y(value)) + 0.5;
      context.strokeStyle = COLORS.grid;
      context.lineWidth = 1;
      context.beginPath();
      context.moveTo(left, position);
      context.lineTo(width - right, position);
      context.stroke();
      context.fillStyle = COLORS.label;
      context.fillText(formatRate(value), left - 8, position);
    }
    context.textAlign = "center";
    context.textBaseline = "alphabetic";
    context.fillText("60 s ago", left + 22, height - 5);
    context.fillText("30 s", left + plotWidth / 2, height - 5);
    context.textAlign = "right";
    context.fillText("now", width - right, height - 5);

    const slot = plotWidth / CHART_SECONDS;
    const gap = Math.min(3, slot * 0.22);
    slots.forEach((sample, index) => {
      if (!sample) return;
      const x = left + index * slot + gap / 2;
      const barWidth = slot - gap;
      const primaryTop = y(sample.primary);
      context.fillStyle = COLORS.primary;
      context.fillRect(x, primaryTop, barWidth, y(0) - primaryTop);
      const burstTop = y(sample.primary + sample.burst);
      context.fillStyle = COLORS.burst;
      context.fillRect(x, burstTop, barWidth, primaryTop - burstTop);
    });

    // Mark each second where burst results begin, so the moment of bursting stands out.
    context.setLineDash([3, 3]);
    context.strokeStyle = COLORS.burst;
    context.fillStyle = COLORS.burst;
    context.textAlign = "left";
    slots.forEach((sample, index) => {
      const previous = slots[index - 1];
      if (!sample || !previous || sample.burst === 0 || previous.burst > 0) return;
      const x = Math.round(left + index * slot) + 0.5;
      context.beginPath();
      context.moveTo(x, upper);
      context.lineTo(x, y(0));
      context.stroke();
      // On a white chip, as the label sits over the burst bars, which have its colour; left of the
      // line when the switch is too recent for the label to fit on its right.
      const chip = context.measureText("burst").width + 4;
      const chipX = x + 2 + chip <= width - right ? x + 2 : x - 2 - chip;
      context.fillStyle = "#ffffff";
      context.fillRect(chipX, upper, chip, 13);
      context.fillStyle = COLORS.burst;
      context.fillText("burst", chipX + 2, upper + 10);
    });
    context.setLineDash([]);

    context.strokeStyle = COLORS.sent;
    context.lineWidth = 1.75;
    context.lineJoin = "round";
    context.beginPath();
    let started = false;
    slots.forEach((sample, index) => {
      if (!sample) return;
      const x = left + index * slot + slot / 2;
      if (started) context.lineTo(x, y(sample.sent));
      else context.moveTo(x, y(sample.sent));
      started = true;
    });
    context.stroke();
  }

  window.addEventListener("resize", () => drawChart(lastHistory));

  // ---- Start ------------------------------------------------------------------------------------

  updateStatus();
  drawChart([]);
  loadRate();
  connect();
  pollStats();
})();
