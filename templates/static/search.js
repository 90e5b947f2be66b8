/* The search page: Pagefind's index (output/pagefind/, written by the build) searched from a form whose state
   lives in the address (?q=wagner&actor=russia&status=alleged&sort=asc), so that a search can be shared,
   reloaded and left with the back button. Only this page loads Pagefind, and only once a search is made.
   The words of the interface come from the page (data-* attributes), in its language; Pagefind picks the
   index of that language from <html lang>. */
(function () {
  "use strict";
  var form = document.getElementById("search");
  if (!form || !window.fetch || !window.URLSearchParams || !window.history.pushState) return;
  var field = form.elements.q;
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var more = document.getElementById("search-more");
  var FILTERS = ["actor", "role", "side", "kind", "status", "year"];
  var FIELDS = FILTERS.concat(["sort"]);
  // Results drawn at a time. Each drawn result loads its own fragment (about 1 KB) from Pagefind; the rest
  // are loaded only when the "more" button asks for them, which keeps a first search small to download.
  var PAGE = 10;
  var engine = null, results = [], shown = 0, token = 0, typing = 0;

  document.getElementById("search-nojs").hidden = true;
  form.hidden = false;

  function load() {
    if (!engine) {
      engine = import(form.dataset.bundle + "pagefind.js").then(function (pagefind) {
        return pagefind.options({ baseUrl: form.dataset.base, excerptLength: 30 }).then(function () {
          return pagefind.init();
        }).then(function () { return pagefind; });
      });
      engine.catch(function () { engine = null; });
    }
    return engine;
  }

  function fromAddress() {
    var params = new URLSearchParams(location.search);
    field.value = params.get("q") || "";
    FIELDS.forEach(function (name) {
      var select = form.elements[name];
      select.value = params.get(name) || "";
      if (select.selectedIndex < 0) select.value = "";
    });
  }

  function toAddress(push) {
    var params = new URLSearchParams();
    if (field.value.trim()) params.set("q", field.value.trim());
    FIELDS.forEach(function (name) { if (form.elements[name].value) params.set(name, form.elements[name].value); });
    var query = params.toString();
    var url = location.pathname + (query ? "?" + query : "");
    if (url !== location.pathname + location.search) history[push ? "pushState" : "replaceState"](null, "", url);
  }

  function request() {
    var filters = {}, any = false;
    FILTERS.forEach(function (name) {
      var select = form.elements[name];
      if (select.value) { filters[name] = select.options[select.selectedIndex].dataset.filter; any = true; }
    });
    var options = { filters: filters };
    if (form.elements.sort.value) options.sort = { date: form.elements.sort.value };
    return { term: field.value.trim(), options: options, empty: !any && !field.value.trim() };
  }

  function say(text) { status.textContent = text; }
  // "{count} results" in the page's language, by its plural category (the page writes the forms).
  var resultForms = JSON.parse(status.dataset.results || "{}");
  var rules = window.Intl && Intl.PluralRules ? new Intl.PluralRules(document.documentElement.lang) : null;
  function counted(n) {
    var form = resultForms[rules ? rules.select(n) : (n === 1 ? "one" : "other")] || resultForms.other || "{count}";
    return form.replace("{count}", n);  // digits as the pages write them (Babel: Latin digits in every language)
  }

  function run() {
    var mine = ++token, wanted = request();
    if (wanted.empty) {
      results = []; shown = 0; list.replaceChildren(); more.hidden = true; say("");
      return Promise.resolve();
    }
    say(status.dataset.searching);
    return load().then(function (pagefind) {
      return pagefind.search(wanted.term || null, wanted.options);
    }).then(function (found) {
      if (mine !== token) return;
      results = found.results; shown = 0;
      list.replaceChildren();
      var n = results.length;
      say(n === 0 ? status.dataset.none : counted(n));
      return showMore(mine);
    }).catch(function () {
      if (mine === token) say(status.dataset.failed);
    });
  }

  // Draws the next PAGE results; with focusNew, moves the focus to the first of them (the button that asked
  // may have just been hidden, and a keyboard user goes on reading from there).
  function showMore(mine, focusNew) {
    var next = results.slice(shown, shown + PAGE);
    return Promise.all(next.map(function (result) { return result.data(); })).then(function (pages) {
      if (mine !== token) return;
      var drawn = pages.map(draw);
      drawn.forEach(function (item) { list.appendChild(item); });
      shown += next.length;
      more.hidden = shown >= results.length;
      if (focusNew && drawn.length) drawn[0].querySelector("a").focus();
    });
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  // Pagefind's excerpt is text with <mark> around the matched words: parsed inertly, and only the text and
  // the marks are kept.
  function excerpt(html) {
    var paragraph = element("p", "result-excerpt");
    var parsed = new DOMParser().parseFromString("<p>" + html + "</p>", "text/html").body;
    (parsed.firstChild ? parsed.firstChild.childNodes : []).forEach(function (node) {
      paragraph.appendChild(node.nodeName === "MARK" ? element("mark", "", node.textContent)
                                                     : document.createTextNode(node.textContent));
    });
    return paragraph;
  }

  function draw(page) {
    var meta = page.meta || {};
    var state = meta.status || "";
    var item = element("li", "result" + (state ? " status-" + state : ""));
    var heading = element("h2", "result-title");
    var link = element("a", "", meta.title || page.url);
    link.href = page.url;
    heading.appendChild(link);
    item.appendChild(heading);
    if (meta.date || list.dataset[state]) {
      var line = element("p", "result-meta");
      if (meta.date) line.appendChild(element("span", "result-date", meta.date));
      if (list.dataset[state]) {
        line.appendChild(document.createTextNode(" "));
        line.appendChild(element("span", "badge badge-" + state, list.dataset[state]));
      }
      item.appendChild(line);
    }
    var groups = [];
    try { groups = JSON.parse(meta.roles || "[]"); } catch (error) { groups = []; }
    if (groups.length) {
      var roles = element("dl", "result-roles");
      groups.forEach(function (group) {
        roles.appendChild(element("dt", "", group[0]));
        roles.appendChild(element("dd", "", group[1].map(function (actor) {
          var own = actor[1] && list.dataset[actor[1]];
          return actor[0] + (own ? " (" + own.toLowerCase() + ")" : "");
        }).join(list.dataset.comma || ", ")));  // (the language's comma: "، " in Arabic)
      });
      item.appendChild(roles);
    }
    item.appendChild(excerpt(page.excerpt || ""));
    return item;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(typing);
    toAddress(true);
    run();
  });
  field.addEventListener("input", function () {
    clearTimeout(typing);
    typing = setTimeout(function () { toAddress(false); run(); }, 250);
  });
  FIELDS.forEach(function (name) {
    form.elements[name].addEventListener("change", function () { toAddress(true); run(); });
  });
  var adding = null;  // a "more" under way: a second press waits for it rather than drawing the same results
  more.addEventListener("click", function () {
    if (adding) return;
    function done() { adding = null; }
    adding = showMore(token, true).then(done, done);
  });
  field.addEventListener("focus", function () { load().catch(function () {}); }, { once: true });
  window.addEventListener("popstate", function () { fromAddress(); run(); });

  fromAddress();
  run();
})();
