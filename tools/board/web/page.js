// page.js - the board's page: draws the board from the server's events (GET /api/events:
// a "state" event with the whole board, then "update" events with what changed, at most
// one a frame) and sends the page's hands (sliders, Serial input, reset) to the /api/ POSTs.
// The same file is the SharedWorker that holds the one event stream of a browser's pages of
// the board and relays its events to them (sharedStream, at the end).
'use strict';

const SERIAL_KEEP = 65536;   // characters the Serial Monitor keeps
const TRACE_KEEP = 400;      // lines the trace pane keeps
const SLIDER_HOLD_MS = 1500; // after a person moves a slider, the board's value waits this long

const part = (name) => document.querySelector(`[data-part="${name}"]`);
const view = { time: 0, timeAt: 0, rtc: null };
const sliderTouched = {};

function setValue(el, value, label) {
  if (!el) return;
  const text = String(value);
  if (el.dataset.value !== text) el.dataset.value = text;
  if (label !== undefined && el.getAttribute('aria-label') !== label) el.setAttribute('aria-label', label);
}

function setText(el, text) {
  if (el && el.textContent !== text) el.textContent = text;
}

function showMessage(text) {
  setText(part('message'), text || '');
}

// ------------------------------------------------------------ the board's parts

function showCore(name, core) {
  const label = name.toUpperCase();
  const why = core.state === 'stopped' && core.why ? core.why : '';
  setValue(part(name), core.state, `${label} core: ${core.state}${why ? ' (' + why + ')' : ''}`);
  setText(document.getElementById(`${name}-state`), core.state);
  setText(document.getElementById(`${name}-why`), why.length > 22 ? why.slice(0, 21) + '…' : why);
}

const LEDS = { LEDR: 'red', LEDG: 'green', LEDB: 'blue' };

function showLed(name, pin) {
  // Active low, as on the board: the LED lights when its pin is driven LOW.
  const on = pin.level === 0 && pin.mode !== 'INPUT';
  setValue(part(name), on ? 'on' : 'off', `${LEDS[name]} LED: ${on ? 'on' : 'off'}`);
  const lens = document.getElementById('led-lens');
  if (lens) {
    const lit = (n) => part(n) && part(n).dataset.value === 'on';
    const r = lit('LEDR') ? 255 : 0, g = lit('LEDG') ? 200 : 0, b = lit('LEDB') ? 255 : 0;
    lens.style.fill = r || g || b ? `rgb(${r},${g},${b})` : '';
  }
}

function pinText(name, pin) {
  const level = pin.level === null ? '-' : pin.level ? 'HIGH' : 'LOW';
  const pwm = pin.pwm !== null ? ` PWM ${pin.pwm}/255` : '';
  const mode = pin.mode ? ` ${pin.mode}` : '';
  const changes = pin.changes === 1 ? '1 change' : `${pin.changes} changes`;
  return `${name} ${level}${pwm}${mode} · ${changes}`;
}

function showPin(name, pin) {
  if (name in LEDS) showLed(name, pin);
  const list = document.getElementById('pins');
  let li = list.querySelector(`[data-part="${name}"]`);
  const driven = pin.level !== null || pin.mode !== null || pin.pwm !== null;
  if (!driven) {
    if (li) li.remove();
    return;
  }
  if (!li) {
    li = document.createElement('li');
    li.dataset.part = name;
    // In the board's order: D0..D102 by number, the LEDs and analog pins by their names.
    li.dataset.order = String(pinOrder(name));
    const after = [...list.children].find((o) => Number(o.dataset.order) > Number(li.dataset.order));
    list.insertBefore(li, after || null);
  }
  const text = pinText(name, pin);
  setValue(li, pin.level === null ? '' : pin.level, text);
  setText(li, text);
}

function pinOrder(name) {
  if (name.startsWith('D')) return Number(name.slice(1));
  if (name.startsWith('A')) return 76 + Number(name.slice(1));
  return { LEDR: 86, LEDG: 87, LEDB: 88 }[name] || 200;
}

function showServo(servo) {
  const svg = part('servo');
  const needle = document.getElementById('servo-needle');
  if (!servo) {
    setValue(svg, 'none', 'servo: none attached');
    setText(document.getElementById('servo-text'), 'servo: none attached');
    needle.setAttribute('transform', 'rotate(0 100 100)');
    return;
  }
  const text = `servo on ${servo.pin} at ${servo.angle} degrees`;
  setValue(svg, servo.angle, text);
  setText(document.getElementById('servo-text'), text);
  needle.setAttribute('transform', `rotate(${servo.angle} 100 100)`);
}

function showAnalog(analog) {
  const now = performance.now();
  for (const [name, value] of Object.entries(analog)) {
    const slider = part(name);
    if (!slider) continue;
    if (now - (sliderTouched[name] || -Infinity) > SLIDER_HOLD_MS && Number(slider.value) !== value)
      slider.value = value;
    setValue(slider, value);
    setText(document.getElementById(`${name}-out`), String(value));
  }
}

function two(n) { return String(n).padStart(2, '0'); }

function showTime() {
  const now = view.time + (view.timeAt ? (performance.now() - view.timeAt) / 1000 : 0);
  setText(part('time'), `${now.toFixed(1)} s`);
  const rtc = part('rtc');
  if (!view.rtc) {
    setValue(rtc, 'not set', 'RTC: not set');
    setText(rtc, 'not set');
    return;
  }
  const d = new Date(Math.floor(view.rtc.seconds + Math.max(0, now - view.rtc.set_at)) * 1000);
  const text = `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())} ` +
    `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
  setValue(rtc, text, `RTC: ${text}`);
  setText(rtc, text);
}

function appendText(el, piece, keep) {
  const follow = el.scrollTop + el.clientHeight >= el.scrollHeight - 4;
  let text = piece.reset ? piece.text : el.textContent + piece.text;
  if (text.length > keep) text = text.slice(text.length - keep);
  el.textContent = text;
  if (follow) el.scrollTop = el.scrollHeight;
}

// The Serial Monitor's text after a piece of it (an event's serial: its text, whether it
// replaces what came before, and where it starts and ends among the bytes the M7 wrote since
// power-on) joins what a reader has ({text, end}, or null: nothing yet). A piece that starts
// past the end of the last one follows bytes the server could not keep (a burst of over
// 64 KiB in one frame, a page too slow for its events): the text says how many, where they
// were.
function joinSerial(have, piece) {
  // Another run of duet-board (started again on the same port): its text, not a gap in ours.
  const same = have && have.run === piece.run;
  const gap = same && piece.from > have.end ? piece.from - have.end : 0;
  let text;
  if (gap) text = `${have.text}\n[${gap} bytes of the Serial output dropped here: the page did not keep up]\n${piece.text}`;
  else text = piece.reset || !same ? piece.text : have.text + piece.text;
  if (text.length > SERIAL_KEEP) text = text.slice(text.length - SERIAL_KEEP);
  return { text, end: piece.end, run: piece.run };
}

let serialHave = null; // the Serial Monitor's text and where it ends (joinSerial)

function showSerial(piece) {
  serialHave = joinSerial(serialHave, piece);
  appendText(part('serial'), { text: serialHave.text, reset: true }, SERIAL_KEEP);
}

function appendLines(el, trace) {
  appendText(el, { text: trace.lines.map((l) => l + '\n').join(''), reset: trace.reset }, 1 << 20);
  const lines = el.textContent.split('\n');
  if (lines.length > TRACE_KEEP + 1) el.textContent = lines.slice(lines.length - TRACE_KEEP - 1).join('\n');
}

// apply: one event from the server; full: the whole board (a "state" event).
function apply(msg, full) {
  if (full) document.getElementById('pins').replaceChildren();
  view.time = msg.time;
  view.timeAt = performance.now();
  if (msg.cores) {
    showCore('m7', msg.cores.m7);
    showCore('m4', msg.cores.m4);
  }
  if (full)
    for (const name of Object.keys(LEDS)) if (!(name in msg.pins)) showLed(name, { level: null, mode: null });
  for (const [name, pin] of Object.entries(msg.pins || {})) showPin(name, pin);
  if ('servo' in msg) showServo(msg.servo);
  if (msg.analog) showAnalog(msg.analog);
  if ('rtc' in msg) view.rtc = msg.rtc;
  if (msg.serial) showSerial(msg.serial);
  if (msg.trace) appendLines(part('trace'), msg.trace);
  showTime();
}

// ------------------------------------------------------------ the page's hands

async function post(path, body) {
  try {
    const r = await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const answer = await r.json().catch(() => ({}));
    showMessage(r.ok ? '' : answer.error || `${path}: HTTP ${r.status}`);
    return r.ok;
  } catch (e) {
    showMessage(`the board does not answer (${e.message}): is duet-board still running?`);
    return false;
  }
}

// Each slider sends its value as it moves: one request at a time, the latest value last.
function makeSliders() {
  const box = document.getElementById('sliders');
  for (let i = 0; i < 8; i++) {
    const name = `A${i}`;
    const label = document.createElement('label');
    label.textContent = name;
    label.htmlFor = `slider-${name}`;
    const slider = document.createElement('input');
    Object.assign(slider, { type: 'range', min: 0, max: 1023, step: 1, value: 0, id: `slider-${name}` });
    slider.dataset.part = name;
    slider.dataset.value = '0';
    slider.setAttribute('aria-label', `${name} analog input, 0 to 1023`);
    const out = document.createElement('output');
    out.id = `${name}-out`;
    out.htmlFor = slider.id;
    out.textContent = '0';
    let busy = false, pending = null;
    const send = async (value) => {
      busy = true;
      await post('/api/analog', { pin: name, value });
      busy = false;
      if (pending !== null) {
        const next = pending;
        pending = null;
        send(next);
      }
    };
    slider.addEventListener('input', () => {
      sliderTouched[name] = performance.now();
      out.textContent = slider.value;
      const value = Number(slider.value);
      if (busy) pending = value;
      else send(value);
    });
    box.append(label, slider, out);
  }
}

function setupSerial() {
  const form = document.getElementById('serial-form');
  const input = part('serial-input');
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const text = input.value + '\n';
    input.value = '';
    await post('/api/serial', { text });
  });
}

function setupReset() {
  part('reset').addEventListener('click', () => post('/api/reset', {}));
}

// ------------------------------------------------------------ the event stream

// The board answered the event stream with an error (16 streams already, another Host): an
// EventSource never tries again after a status that is not 200. The board's sentence (null
// when a place just came free, or the board is gone), so that the page says it and tries
// again, and comes in once another page leaves.
async function refusal() {
  try {
    const r = await fetch('/api/events');
    if (r.ok) {
      await r.body.cancel(); // a place just came free: the EventSource takes it
      return null;
    }
    const answer = await r.json().catch(() => ({}));
    return answer.error || `the board refused the page's events (HTTP ${r.status})`;
  } catch (e) {
    return null; // the board is gone: the connection's part says so
  }
}

let refusedSaid = false; // the message says why the board refused the event stream

function showLive() {
  const status = part('connection');
  setValue(status, 'live', 'connection: live');
  setText(status, 'live');
  if (refusedSaid) showMessage('');
  refusedSaid = false;
}

function showLost() {
  const status = part('connection');
  setValue(status, 'lost', 'connection: lost (the board stopped, or is starting again)');
  setText(status, 'board not reachable');
  // The board's clock (and the RTC) stop where the page last had them: a board that is
  // gone does not count on.
  if (view.timeAt) {
    view.time += (performance.now() - view.timeAt) / 1000;
    view.timeAt = 0;
    showTime();
  }
}

function showRefused(text) {
  showLost();
  showMessage(text);
  refusedSaid = true;
}

// The events come from the browser's one shared stream (the worker below, through this
// port), or, where the browser has no SharedWorker, from the page's own (connect).
let shared = null;
let events = null; // the page's own stream; none while the page is hidden (below)

function connect() {
  if (document.hidden || (events && events.readyState !== EventSource.CLOSED)) return;
  const stream = new EventSource('/api/events');
  events = stream;
  serialHave = null; // the first state replaces the text: what came while hidden is no gap
  stream.addEventListener('state', (e) => apply(JSON.parse(e.data), true));
  stream.addEventListener('update', (e) => apply(JSON.parse(e.data), false));
  stream.addEventListener('open', showLive);
  stream.addEventListener('error', async () => {
    showLost();
    if (stream.readyState !== EventSource.CLOSED) return;
    const why = await refusal();
    if (why) showRefused(why);
    setTimeout(connect, 2000);
  });
}

function fromWorker(m) {
  if (m.kind === 'state' || m.kind === 'update') apply(m.msg, m.kind === 'state');
  else if (m.kind === 'live') showLive();
  else if (m.kind === 'lost') showLost();
  else if (m.kind === 'refused') showRefused(m.text);
}

// A browser keeps at most six connections to one address (HTTP/1.1), and each page's stream
// held one: with six windows of the board shown, every page's POSTs waited for ever and a
// seventh page did not load. The pages of one browser share one stream now, held by a
// SharedWorker (this same file, below); without one, each page holds its own.
function startEvents() {
  if (typeof SharedWorker === 'function') {
    try {
      const worker = new SharedWorker('/page.js', { name: 'duet-board events' });
      worker.addEventListener('error', () => { // the worker failed: a stream of its own
        if (!shared) return;
        shared.onmessage = null;
        shared.postMessage('leave');
        shared = null;
        connect();
      });
      shared = worker.port;
      shared.onmessage = (e) => fromWorker(e.data);
      if (!document.hidden) shared.postMessage('join');
      return;
    } catch (e) {
      shared = null;
    }
  }
  connect();
}

// A page hidden (another tab shown) reads no events (with a stream of its own, it gives it
// up), and takes the board as it is now when shown again. A page closed leaves the shared
// stream; the last page to leave closes it.
function watchVisibility() {
  document.addEventListener('visibilitychange', () => {
    if (shared) shared.postMessage(document.hidden ? 'leave' : 'join');
    else if (document.hidden && events) {
      events.close();
      events = null;
    } else {
      connect();
    }
  });
  window.addEventListener('pagehide', () => shared && shared.postMessage('leave'));
  window.addEventListener('pageshow', (e) => shared && e.persisted && !document.hidden && shared.postMessage('join'));
}

async function start() {
  makeSliders();
  setupSerial();
  setupReset();
  const r = await fetch('/board.svg');
  document.getElementById('board').innerHTML = await r.text();
  watchVisibility();
  startEvents();
  setInterval(showTime, 250);
}

// ------------------------------------------------------------ the shared stream (a SharedWorker)

// The trace pane's lines after an event's trace joins those a reader has.
function joinTrace(have, trace) {
  const lines = trace.reset ? trace.lines.slice() : have.concat(trace.lines);
  return lines.length > TRACE_KEEP ? lines.slice(lines.length - TRACE_KEEP) : lines;
}

// The worker: one event stream for every page of the board shown in this browser. It relays
// each event to them, and keeps the board as the events built it, which a page that joins
// gets as its state (with the Serial Monitor's and trace pane's text the other pages have).
function sharedStream() {
  const ports = new Set();
  let stream = null, retry = null, board = null, serial = null, trace = [], link = null;
  const tell = (m) => { for (const p of ports) p.postMessage(m); };
  const say = (m) => { link = m; tell(m); };

  function keep(msg, full) {
    if (full) board = { ...msg, pins: { ...msg.pins } };
    else for (const [k, v] of Object.entries(msg)) if (k === 'pins') Object.assign(board.pins, v); else board[k] = v;
    if (msg.serial) serial = joinSerial(serial, msg.serial);
    if (msg.trace) trace = joinTrace(trace, msg.trace);
  }

  function snapshot() {
    const text = serial ? serial.text : '', end = serial ? serial.end : 0, run = serial ? serial.run : 0;
    return { ...board, serial: { text, reset: true, end, run }, trace: { lines: trace, reset: true } };
  }

  function open() {
    retry = null;
    if (stream || !ports.size) return;
    const s = new EventSource('/api/events');
    stream = s;
    for (const name of ['state', 'update'])
      s.addEventListener(name, (e) => {
        const msg = JSON.parse(e.data);
        keep(msg, name === 'state');
        tell({ kind: name, msg });
      });
    s.addEventListener('open', () => say({ kind: 'live' }));
    s.addEventListener('error', async () => {
      say({ kind: 'lost' });
      if (s.readyState !== EventSource.CLOSED || stream !== s) return;
      stream = null;
      const why = await refusal();
      if (why) say({ kind: 'refused', text: why });
      if (ports.size && !retry) retry = setTimeout(open, 2000);
    });
  }

  function close() {
    if (stream) stream.close();
    if (retry) clearTimeout(retry);
    stream = retry = board = serial = link = null;
    trace = [];
  }

  self.onconnect = (e) => {
    const port = e.ports[0];
    port.onmessage = (m) => {
      if (m.data === 'join') {
        ports.add(port);
        if (board) port.postMessage({ kind: 'state', msg: snapshot() });
        if (link) port.postMessage(link);
        open();
      } else if (m.data === 'leave') {
        ports.delete(port);
        if (!ports.size) close();
      }
    };
  };
}

if (typeof document === 'undefined') sharedStream();
else start();
