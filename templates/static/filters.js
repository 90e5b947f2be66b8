/* Filters for the home timeline: an enhancement. Without JavaScript the page links to the actor, kind
   and year pages instead. The filters search data/index.json, which covers every event (the page may
   show only the latest), keep their state in the address (?actor=russia&kind=military&from=2019) so a
   filtered view can be shared, reloaded and left with the back button, and render matches in pages.
   Actor, role, side and status are matched against each actor's part in an event: "EU" + "LNA" finds
   the events where the EU acted for the LNA, not those where it enforced the embargo on the LNA's
   suppliers. */
(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (!form || !window.fetch || !window.URLSearchParams || !window.history.pushState) return;

  var FIELDS = ["actor", "role", "kind", "side", "status", "from", "to"];
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
      role: positions(data.roles),
      acts: data.roles.map(function (r) { return r[3] === 1; }),
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

  // The words to show, in the page's language (the page writes them: see Renderer.filter_texts); a count's
  // words by the language's plural category.
  var textsNode = document.getElementById("filter-texts");
  var TEXTS = textsNode ? JSON.parse(textsNode.textContent) : {};
  var rules = window.Intl && Intl.PluralRules ? new Intl.PluralRules(document.documentElement.lang) : null;
  function say(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (all, name) { return name in values ? values[name] : all; });
  }
  function counted(which, n, values) {
    var forms = TEXTS[which] || {};
    var form = forms[rules ? rules.select(n) : (n === 1 ? "one" : "other")] || forms.other || "{count}";
    values = values || {};
    values.count = n;
    return say(form, values);
  }
  function text(which, fallback) { return TEXTS[which] || fallback; }

  // Whether one actor's part [actor, role, side, status] meets the filters that apply to parts.
  function partMatches(p, f) {
    if (f.actor >= 0 && p[0] !== f.actor) return false;
    if (f.role >= 0 && p[1] !== f.role) return false;
    if ((f.role === -2 || f.side !== -2) && !index.acts[p[1]]) return false;
    if (f.side !== -2 && p[2] !== f.side) return false;
    return !(f.status >= 0 && p[3] !== f.status);
  }

  function select(state) {
    var events = index.data.events;
    var f = {
      actor: state.actor ? index.actor[state.actor] : -1,
      role: state.role === "acting" ? -2 : state.role ? index.role[state.role] : -1,
      side: state.side === "none" ? -1 : state.side ? index.side[state.side] : -2,
      status: state.status ? index.status[state.status] : -1
    };
    var byPart = f.actor >= 0 || f.role !== -1 || f.side !== -2 || f.status >= 0;
    var kind = state.kind ? index.kind[state.kind] : -1;
    var from = state.from ? Number(state.from) : -Infinity;
    var to = state.to ? Number(state.to) : Infinity;
    if (from > to) { var swap = from; from = to; to = swap; }
    var found = [];
    for (var n = 0; n < events.length; n++) {
      var e = events[n];
      var year = index.years[n];
      if (year < from || year > to) continue;
      if (kind >= 0 && e[5] !== kind) continue;
      if (byPart && !e[4].some(function (p) { return partMatches(p, f); })) continue;
      found.push(n);
    }
    return found;
  }

  // The event's actors grouped as the pages group them: acting roles (by side) first, then the others.
  function roleGroups(e) {
    var data = index.data;
    var groups = [];
    var keyed = {};
    [true, false].forEach(function (acting) {
      e[4].forEach(function (p) {
        if (index.acts[p[1]] !== acting) return;
        var key = p[1] + ":" + p[2];
        if (!keyed[key]) {
          var role = data.roles[p[1]];
          var heading = p[2] >= 0 && role[2] ? role[2].replace("{side}", data.sides[p[2]][1]) : role[1];
          keyed[key] = { heading: heading, acts: acting, parts: [] };
          groups.push(keyed[key]);
        }
        keyed[key].parts.push(p);
      });
    });
    return groups;
  }

  var ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
  function esc(text) { return String(text).replace(/[&<>"']/g, function (c) { return ESCAPES[c]; }); }

  function card(e) {
    var data = index.data;
    var html = '<article class="event-card status-' + data.statuses[e[6]] + (e[8] ? " milestone" : "") + '">' +
      '<h4 class="event-title"><a href="' + esc(base + "events/" + e[0] + "/") + '">' + esc(e[1]) + "</a></h4>" +
      '<p class="event-meta"><time datetime="' + esc(e[2]) + '">' + esc(e[3]) + "</time> " +
      '<span class="kind">' + esc(data.kinds[e[5]][1]) + "</span> ";
    if (e[6] > 0) {
      var status = data.statuses[e[6]];
      html += '<span class="badge badge-' + status + '">' + esc((TEXTS.statuses || {})[status] || status) + "</span> ";
    }
    if (e[8]) html += '<span class="badge badge-milestone">' + esc(text("milestone", "Milestone")) + "</span>";
    html += '</p><p class="actors-line">';
    roleGroups(e).forEach(function (group) {
      html += '<span class="role-group' + (group.acts ? "" : " other-role") + '"><span class="role">' +
        esc(group.heading) + ":</span> ";
      group.parts.forEach(function (p) {
        var actor = data.actors[p[0]];
        html += '<a class="chip" href="' + esc(base + "actors/" + actor[0] + "/") + '" style="--actor: ' +
          esc(actor[2]) + '">' + esc(actor[1]) + "</a>";
        if (p[3] !== e[6]) {
          var own = data.statuses[p[3]];
          html += ' <span class="part-status">(' + esc(((TEXTS.statuses || {})[own] || own).toLowerCase()) + ")</span>";
        }
        html += " ";
      });
      html += "</span>";
    });
    return html + '</p><p class="card-foot"><span class="source-count">' + esc(counted("sources", e[7])) +
      "</span></p></article>";
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
      results.insertAdjacentHTML("beforeend", '<p class="show-more"><button type="button">' +
        esc(say(text("more", "Show {shown} more ({left} not shown)"), { shown: Math.min(PAGE, left), left: left })) +
        "</button></p>");
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
      countOut.textContent = counted("all", total);
      return Promise.resolve();
    }
    countOut.textContent = text("filtering", "Filtering…");
    return load().then(function () {
      if (mine !== request) return;
      matches = select(state);
      shown = 0;
      results.innerHTML = matches.length ? "" : '<p class="no-match">' + esc(text("none", "No events match these filters.")) + "</p>";
      if (matches.length) renderMore();
      whole.hidden = true;
      results.hidden = false;
      countOut.textContent = counted("some", total, { shown: matches.length });
    }, function () {
      if (mine !== request) return;
      countOut.textContent = text("failed", "The filters could not load the list of events; browse by actor, kind or year instead.");
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
