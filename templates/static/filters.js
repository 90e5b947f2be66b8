/* Filters for the home timeline: an enhancement. Without JavaScript the page links to the actor, kind
   and year pages instead. The filters search data/index.json, which covers every event (the page may
   show only the latest), keep their state in the address (?actor=russia&kind=military&from=2019) so a
   filtered view can be shared, reloaded and left with the back button, and render matches in pages. */
(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (!form || !window.fetch || !window.URLSearchParams || !window.history.pushState) return;

  var FIELDS = ["actor", "kind", "side", "status", "from", "to"];
  var PAGE = 100;
  var countOut = document.getElementById("filter-count");
  var results = document.getElementById("filter-results");
  var whole = document.getElementById("timeline-all");
  var browse = document.getElementById("browse");
  var base = form.getAttribute("data-base");
  var total = Number(form.getAttribute("data-total"));
  var loading = null;
  var index = null;
  var matches = [];
  var shown = 0;
  var request = 0;

  form.hidden = false;
  if (browse) browse.hidden = true;

  function load() {
    if (!loading) {
      loading = fetch(form.getAttribute("data-index"))
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json();
        })
        .then(prepare);
      loading.catch(function () { loading = null; });
    }
    return loading;
  }

  function positions(list) {
    var map = {};
    list.forEach(function (item, n) { map[typeof item === "string" ? item : item[0]] = n; });
    return map;
  }

  function prepare(data) {
    index = {
      data: data,
      actor: positions(data.actors),
      kind: positions(data.kinds),
      side: positions(data.sides),
      status: positions(data.statuses),
      years: new Int16Array(data.events.length)
    };
    data.events.forEach(function (e, n) { index.years[n] = parseInt(e[2].slice(0, 4), 10); });
    total = data.events.length;
    return index;
  }

  function valid(name, value) {
    var select = form.elements[name];
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].value === value) return true;
    }
    return false;
  }

  function fromAddress() {
    var params = new URLSearchParams(window.location.search);
    var state = {};
    FIELDS.forEach(function (name) {
      var value = params.get(name);
      if (value && valid(name, value)) state[name] = value;
    });
    return state;
  }

  function fromForm() {
    var state = {};
    FIELDS.forEach(function (name) {
      var value = form.elements[name].value;
      if (value) state[name] = value;
    });
    return state;
  }

  function show(state) {
    FIELDS.forEach(function (name) { form.elements[name].value = state[name] || ""; });
  }

  function address(state) {
    var params = new URLSearchParams();
    FIELDS.forEach(function (name) { if (state[name]) params.set(name, state[name]); });
    var query = params.toString();
    return window.location.pathname + (query ? "?" + query : "") + window.location.hash;
  }

  function isEmpty(state) {
    return !FIELDS.some(function (name) { return state[name]; });
  }

  function plural(n) { return n === 1 ? "event" : "events"; }

  function select(state) {
    var events = index.data.events;
    var actor = state.actor ? index.actor[state.actor] : -1;
    var kind = state.kind ? index.kind[state.kind] : -1;
    var side = state.side === "none" ? -1 : state.side ? index.side[state.side] : -2;
    var status = state.status ? index.status[state.status] : -1;
    var from = state.from ? Number(state.from) : -Infinity;
    var to = state.to ? Number(state.to) : Infinity;
    if (from > to) { var swap = from; from = to; to = swap; }
    var found = [];
    for (var n = 0; n < events.length; n++) {
      var e = events[n];
      var year = index.years[n];
      if (year < from || year > to) continue;
      if (kind >= 0 && e[5] !== kind) continue;
      if (side !== -2 && e[6] !== side) continue;
      if (status >= 0 && e[7] !== status) continue;
      if (actor >= 0 && e[4].indexOf(actor) < 0) continue;
      found.push(n);
    }
    return found;
  }

  var ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
  function esc(text) { return String(text).replace(/[&<>"']/g, function (c) { return ESCAPES[c]; }); }

  function card(e) {
    var data = index.data;
    var html = '<article class="event-card status-' + data.statuses[e[7]] + (e[9] ? " milestone" : "") + '">' +
      '<h4 class="event-title"><a href="' + esc(base + "events/" + e[0] + "/") + '">' + esc(e[1]) + "</a></h4>" +
      '<p class="event-meta"><time datetime="' + esc(e[2]) + '">' + esc(e[3]) + "</time> " +
      '<span class="kind">' + esc(data.kinds[e[5]][1]) + "</span> ";
    if (e[6] >= 0) html += '<span class="side">Supported the ' + esc(data.sides[e[6]][1]) + "</span> ";
    if (e[7] > 0) {
      var status = data.statuses[e[7]];
      html += '<span class="badge badge-' + status + '">' + status.charAt(0).toUpperCase() + status.slice(1) + "</span> ";
    }
    if (e[9]) html += '<span class="badge badge-milestone">Milestone</span>';
    html += '</p><p class="actors-line">';
    e[4].forEach(function (a) {
      var actor = data.actors[a];
      html += '<a class="chip" href="' + esc(base + "actors/" + actor[0] + "/") + '" style="--actor: ' +
        esc(actor[2]) + '">' + esc(actor[1]) + "</a> ";
    });
    return html + '</p><p class="card-foot"><span class="source-count">' + e[8] + " source" +
      (e[8] === 1 ? "" : "s") + "</span></p></article>";
  }

  function renderMore() {
    var events = index.data.events;
    var end = Math.min(matches.length, shown + PAGE);
    var html = "";
    var year = shown ? index.years[matches[shown - 1]] : null;
    for (var i = shown; i < end; i++) {
      var n = matches[i];
      if (index.years[n] !== year) {
        year = index.years[n];
        html += '<h3 class="year-heading">' + year + "</h3>";
      }
      html += card(events[n]);
    }
    var more = results.querySelector(".show-more");
    if (more) more.parentNode.removeChild(more);
    results.insertAdjacentHTML("beforeend", html);
    shown = end;
    if (shown < matches.length) {
      var left = matches.length - shown;
      results.insertAdjacentHTML("beforeend", '<p class="show-more"><button type="button">Show ' +
        Math.min(PAGE, left) + " more (" + left + " not shown)</button></p>");
    }
  }

  results.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest(".show-more button") : null;
    if (!button) return;
    var first = shown;
    renderMore();
    var next = results.querySelectorAll(".event-card")[first];
    if (next) next.querySelector("a").focus();
  });

  function apply(state) {
    var mine = ++request;
    if (isEmpty(state)) {
      results.hidden = true;
      results.innerHTML = "";
      whole.hidden = false;
      countOut.textContent = "All " + total + " " + plural(total);
      return Promise.resolve();
    }
    countOut.textContent = "Filtering…";
    return load().then(function () {
      if (mine !== request) return;
      matches = select(state);
      shown = 0;
      results.innerHTML = matches.length ? "" : '<p class="no-match">No events match these filters.</p>';
      if (matches.length) renderMore();
      whole.hidden = true;
      results.hidden = false;
      countOut.textContent = matches.length + " of " + total + " " + plural(total);
    }, function () {
      if (mine !== request) return;
      countOut.textContent = "The filters could not load the list of events; browse by actor, kind or year instead.";
      if (browse) browse.hidden = false;
    });
  }

  form.addEventListener("change", function () {
    var state = fromForm();
    window.history.pushState(state, "", address(state));
    apply(state);
  });
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  form.addEventListener("reset", function (event) {
    event.preventDefault();
    show({});
    window.history.pushState({}, "", address({}));
    apply({});
  });
  window.addEventListener("popstate", function () {
    var state = fromAddress();
    show(state);
    apply(state);
  });

  var initial = fromAddress();
  show(initial);
  apply(initial);
  window.timelineFilters = { apply: apply, load: load };
})();
