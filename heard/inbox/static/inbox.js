/* heard inbox: keyboard decisions, shown at once and sent in the background; the server's answer has the last word. */
(function () {
  'use strict';
  var $ = function (sel, root) { return (root || document).querySelector(sel); };
  var meta = $('meta[name=inbox]');
  if (!meta) return; // the login page loads no script, but be safe
  var csrf = $('meta[name=csrf-token]').content;
  var undoMs = Number(meta.dataset.undo);
  var skew = Number(meta.dataset.now) - Date.now(); // the server's clock decides what is overdue
  var version = meta.dataset.version;
  var list = $('#list'), pane = $('#item'), toastBox = $('#toast'), keys = $('#keys'), matched = $('#matched');
  var cache = new Map(); // "id|updated_at" -> the item's HTML, or a promise of it
  var inflight = new Set(); // ids decided (or undone) here whose answer has not come back yet
  // Moved by every change this tab makes to the list: a list the server drew before it is stale.
  var generation = 0;
  var sel = null, editing = null, last = null, lastKey = 0, refreshTimer = 0, toastTimer = 0, checkTimer = 0;
  var VERBS = { approve: 'Approved', reject: 'Rejected', dismiss: 'Dismissed' };
  var segmenter = window.Intl && Intl.Segmenter ? new Intl.Segmenter() : null;

  function keyOf(li) { return li.dataset.id + '|' + li.dataset.updated; }
  function isRow(el) { return el && el.classList && el.classList.contains('row'); }
  function next(li) { var n = li.nextElementSibling; while (n && !isRow(n)) n = n.nextElementSibling; return n; }
  function prev(li) { var p = li.previousElementSibling; while (p && !isRow(p)) p = p.previousElementSibling; return p; }
  function rowById(id) { return list.querySelector('li.row[data-id="' + CSS.escape(id) + '"]'); }
  function bump(n) { matched.textContent = String(Math.max(0, Number(matched.textContent) + n)); }

  function post(url, body) {
    return fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().catch(function () { return { ok: false, message: 'the inbox answered ' + r.status }; });
    }, function () {
      return { ok: false, message: 'the inbox cannot be reached: is `heard inbox` still running?' };
    });
  }

  function toast(text, isError, ms) {
    toastBox.textContent = text;
    toastBox.className = isError ? 'error' : '';
    toastBox.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { toastBox.hidden = true; }, ms || (isError ? 8000 : 4000));
  }

  function fetchItem(li) {
    var k = keyOf(li), hit = cache.get(k);
    if (hit === undefined) {
      hit = fetch('/api/item?id=' + encodeURIComponent(li.dataset.id), { credentials: 'same-origin' })
        .then(function (r) { return r.text(); })
        .then(function (html) { cache.set(k, html); return html; },
              function () { cache.delete(k); return '<p class="gone">This item could not be loaded.</p>'; });
      cache.set(k, hit);
    }
    return hit;
  }

  function prefetch(li) {
    var n = li;
    for (var i = 0; i < 3 && n; i++) { n = next(n); if (n) fetchItem(n); }
    var p = prev(li);
    if (p) fetchItem(p);
  }

  // Draw the item; ``started`` (a key's timeStamp) is measured to the frame after it shows.
  function show(html, started) {
    pane.innerHTML = html; // HTML from heard, where every comment's text was escaped
    pane.scrollTop = 0;
    if (started !== undefined) {
      requestAnimationFrame(function () {
        setTimeout(function () { performance.measure('inbox-next', { start: started, end: performance.now() }); }, 0);
      });
    }
  }

  function select(li, started) {
    if (sel) sel.classList.remove('sel');
    sel = li || null;
    editing = null;
    if (!li) { pane.innerHTML = '<p class="empty">Nothing waiting here. Everyone has been answered.</p>'; return; }
    li.classList.add('sel');
    li.scrollIntoView({ block: 'nearest' });
    var hit = cache.get(keyOf(li));
    if (typeof hit === 'string') {
      show(hit, started);
    } else {
      pane.innerHTML = '<p class="empty">Loading…</p>';
      fetchItem(li).then(function (html) { if (sel === li) show(html, started); });
    }
    prefetch(li);
  }

  function putBack(li, after, failed) {
    if (after && after.parentNode === list) list.insertBefore(li, after);
    else list.insertBefore(li, $('li.more', list));
    li.classList.toggle('failed-here', !!failed);
    bump(1);
  }

  function decide(action, text, started) {
    if (!sel) return;
    var li = sel, id = li.dataset.id, art = $('article.detail', pane);
    if (action === 'reject' && li.dataset.state === 'rejected') {
      toast(id + ': its draft is rejected already; edit it (e) and approve, or dismiss it (d)', true);
      return;
    }
    if (action === 'approve' && text === undefined && art && art.dataset.id === id && !$('.draft-text', art).textContent.trim()) {
      toast('No draft to approve: write the reply', true);
      edit('');
      return;
    }
    var body = { id: id, action: action, state: li.dataset.state, updated_at: li.dataset.updated };
    if (text !== undefined) body.text = text;
    var after = next(li), before = prev(li), who = $('.who', li).textContent;
    inflight.add(id);
    generation++;
    li.classList.remove('sel');
    li.remove();
    bump(-1);
    select(after || before, started);
    var answer = post('/api/decide', body).then(function (res) {
      inflight.delete(id);
      if (res.ok) {
        cache.delete(keyOf(li));
        toast(VERBS[action] + ': ' + who + '. u undoes it (' + Math.round(undoMs / 1000) + ' s)', false, undoMs);
        return { token: res.token, li: li, after: after };
      }
      generation++;
      putBack(li, after, true);
      toast(res.message, true);
      return null;
    });
    last = { answer: answer, at: Date.now() };
  }

  function undo() {
    if (!last || Date.now() - last.at > undoMs) {
      toast('Nothing to undo: a decision can be undone for ' + Math.round(undoMs / 1000) + ' s', true);
      return;
    }
    var mine = last;
    last = null;
    mine.answer.then(function (done) {
      if (!done) return; // the decision was refused: nothing changed
      var key = 'undo:' + done.token;
      inflight.add(key);
      return post('/api/undo', { token: done.token }).then(function (res) {
        inflight.delete(key);
        if (!res.ok) { toast(res.message, true); return; }
        generation++;
        done.li.dataset.state = res.state;
        done.li.dataset.updated = res.updated_at;
        putBack(done.li, done.after, false);
        select(done.li);
        toast('Undone: ' + res.message);
      });
    });
  }

  // A person's approximate count while typing; the server's exact one follows, and decides.
  function approx(text, mode) {
    text = text.normalize('NFC');
    if (mode === 'chars') return Array.from(text).length;
    if (mode === 'graphemes') {
      if (!segmenter) return Array.from(text).length;
      var g = 0, it = segmenter.segment(text)[Symbol.iterator]();
      while (!it.next().done) g++;
      return g;
    }
    var n = 0; // X: a link weighs 23, Latin script 1 a character, most else (CJK, emoji) 2
    text = text.replace(/https?:\/\/\S+/g, function () { n += 23; return ''; });
    Array.from(text).forEach(function (ch) {
      var c = ch.codePointAt(0);
      n += (c <= 0x10FF || (c >= 0x2000 && c <= 0x200D) || (c >= 0x2010 && c <= 0x201F) || (c >= 0x2032 && c <= 0x2037)) ? 1 : 2;
    });
    return n;
  }

  function counter() {
    if (!editing) return;
    var d = editing.art.dataset, text = editing.ta.value, limit = Number(d.limit);
    var used = approx(text, d.mode) + Number(d.overhead);
    var exact = editing.exact && editing.exact.text === text ? editing.exact : null;
    if (exact) used = exact.used;
    var span = $('.used', editing.art);
    span.textContent = (exact ? '' : '≈ ') + used + (limit ? ' / ' + limit : '') + ' ' + d.unit + (exact && exact.problem ? ': ' + exact.problem : '');
    span.className = 'used' + ((limit && used > limit) || (exact && exact.problem) ? ' over' : '');
    clearTimeout(checkTimer);
    if (!exact) checkTimer = setTimeout(check, 250);
  }

  function check() {
    if (!editing) return;
    var mine = editing, text = mine.ta.value;
    post('/api/length', { id: mine.art.dataset.id, text: text }).then(function (res) {
      if (editing !== mine || typeof res.used !== 'number') return;
      mine.exact = { text: text, used: res.used, problem: res.problem };
      counter();
    });
  }

  function edit(prefill) {
    var art = $('article.detail', pane);
    if (!art || !sel || art.dataset.id !== sel.dataset.id) return;
    var box = $('.edit', art), ta = $('textarea', box);
    box.hidden = false;
    ta.value = prefill !== undefined ? prefill : $('.draft-text', art).textContent;
    editing = { art: art, ta: ta, exact: null };
    ta.focus();
    ta.setSelectionRange(ta.value.length, ta.value.length);
    counter();
  }

  function cancelEdit() {
    if (!editing) return;
    $('.edit', editing.art).hidden = true;
    editing.ta.blur();
    editing = null;
  }

  function submitEdit(started) {
    var d = editing.art.dataset, text = editing.ta.value.trim(), limit = Number(d.limit);
    var exact = editing.exact && editing.exact.text === editing.ta.value ? editing.exact : null;
    if (!text) { toast('The reply is empty', true); return; }
    if (exact && exact.problem) { toast(exact.problem, true); return; }
    if (!exact && limit && approx(text, d.mode) + Number(d.overhead) > limit) {
      toast('The reply looks longer than ' + d.unit.split(' ').pop() + ' allow (' + limit + '): shorten it', true);
      check();
      return;
    }
    editing = null;
    decide('approve', text, started);
  }

  function move(to, started) {
    if (!sel) { select(list.querySelector('li.row')); return; }
    var target = to(sel);
    if (target) select(target, started);
  }

  document.addEventListener('keydown', function (ev) {
    if (editing && ev.target === editing.ta) {
      if (ev.key === 'Escape') { ev.preventDefault(); cancelEdit(); }
      else if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); submitEdit(ev.timeStamp); }
      return;
    }
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    var tag = ev.target && ev.target.tagName;
    if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT') return;
    if (keys.open) {
      if (ev.key === '?' || ev.key === 'Escape') { ev.preventDefault(); keys.close(); }
      return;
    }
    if (editing) { // the editor is open but not focused: only Esc and e mean something
      if (ev.key === 'Escape') cancelEdit();
      else if (ev.key === 'e') editing.ta.focus();
      ev.preventDefault();
      return;
    }
    lastKey = Date.now();
    switch (ev.key) {
      case 'j': move(next, ev.timeStamp); break;
      case 'k': move(prev, ev.timeStamp); break;
      case 'a': decide('approve', undefined, ev.timeStamp); break;
      case 'r': decide('reject', undefined, ev.timeStamp); break;
      case 'd': decide('dismiss', undefined, ev.timeStamp); break;
      case 'e': edit(); break;
      case 'u': undo(); break;
      case '?': keys.showModal(); break;
      default: return;
    }
    ev.preventDefault();
  });

  pane.addEventListener('input', function (ev) { if (editing && ev.target === editing.ta) counter(); });
  pane.addEventListener('click', function (ev) {
    var alt = ev.target.closest && ev.target.closest('button.alt');
    if (alt) edit($('.alt-text', alt.parentNode).textContent);
  });
  list.addEventListener('click', function (ev) {
    var li = ev.target.closest && ev.target.closest('li.row');
    if (li && li !== sel) select(li);
  });
  $('#keys-button').addEventListener('click', function () { keys.showModal(); });
  $('#filters').addEventListener('change', function () { $('#filters').submit(); });

  // Live: another tab, the queue file or a new comment changed what waits; redraw the list when idle.
  function scheduleRefresh(delay) {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(refresh, Math.max(delay || 0, lastKey + 800 - Date.now()));
  }

  function refresh() {
    if (editing || inflight.size) { scheduleRefresh(500); return; }
    var asked = generation;
    fetch('/api/rows' + location.search, { credentials: 'same-origin' }).then(function (r) { return r.json(); }).then(function (data) {
      // A decision or an undo made here while the rows were on their way: they may predate it
      // (an undone item missing, the person's place lost), so ask again.
      if (editing || inflight.size || asked !== generation) { scheduleRefresh(asked !== generation ? 0 : 500); return; }
      var id = sel && sel.dataset.id, index = sel ? Array.prototype.indexOf.call(list.children, sel) : 0;
      list.innerHTML = data.html;
      version = data.version;
      matched.textContent = data.matched;
      $('#waiting').textContent = data.waiting;
      var all = list.querySelectorAll('li.row');
      var li = (id && rowById(id)) || all[Math.min(index, all.length - 1)] || null;
      var art = $('article.detail', pane);
      if (li && art && art.dataset.id === li.dataset.id && art.dataset.updated === li.dataset.updated) {
        sel = li;
        li.classList.add('sel');
      } else {
        select(li);
      }
    }, function () { scheduleRefresh(5000); });
  }

  function tick() {
    var now = Date.now() + skew;
    list.querySelectorAll('li.row').forEach(function (li) {
      var due = Number(li.dataset.due), late = due <= now, span = $('.sla', li);
      var text = late ? 'overdue ' + duration(now - due) : 'due in ' + duration(due - now);
      if (span.textContent !== text) span.textContent = text;
      li.classList.toggle('late', late);
    });
  }

  // A span as `heard status` says it: whole units passed, 45m, 3h 10m, 2d 4h.
  function duration(ms) {
    var minutes = Math.max(0, Math.floor(ms / 60000)), days = Math.floor(minutes / 1440);
    var hours = Math.floor((minutes % 1440) / 60), mins = minutes % 60;
    if (days) return days + 'd ' + hours + 'h';
    return hours ? hours + 'h ' + mins + 'm' : mins + 'm';
  }

  var events = new EventSource('/api/events');
  events.addEventListener('change', function (ev) { if (ev.data !== version) scheduleRefresh(0); });
  events.addEventListener('fault', function (ev) { toast(JSON.parse(ev.data), true); });
  setInterval(tick, 30000);

  var shownArt = $('article.detail', pane);
  var first = (shownArt && rowById(shownArt.dataset.id)) || list.querySelector('li.row');
  if (first) {
    if (shownArt && shownArt.dataset.id === first.dataset.id) cache.set(keyOf(first), pane.innerHTML);
    select(first);
  }
  performance.mark('inbox-ready');
  // The page brought the first rows only: the rest come now, the chosen item kept.
  if (document.getElementById('partial')) refresh();
})();
