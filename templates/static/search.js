/* The search page: Pagefind's index (output/pagefind/, written by the build) searched from a form whose state
   lives in the address (?q=wagner&actor=russia&status=alleged&sort=asc), so that a search can be shared,
   reloaded and left with the back button. Only this page loads Pagefind, and only once a search is made.
   The words of the interface come from the page (data-* attributes), in its language; Pagefind picks the
   index of that language from <html lang>.
   In the preview (`serve`, which sets window.generatorPreview), the pages edited since the site was last indexed
   whole have an index of their own, the delta: both are searched, the full index's copies of those pages are left
   out, and the two lists are merged (by score, or by date when sorted). The page asks the preview what indexes
   are in place, and searches again when it says that new ones are. */
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
  var preview = window.generatorPreview || null;

  document.getElementById("search-nojs").hidden = true;
  form.hidden = false;

  var bundles = {};  // each index's Pagefind, ready, by the address of its module (one module per address)
  function bundle(folder, version) {
    var url = folder + "pagefind.js" + version;
    if (!bundles[url]) {
      bundles[url] = import(url).then(function (pagefind) {
        return pagefind.options({ baseUrl: form.dataset.base, excerptLength: 30 }).then(function () {
          return pagefind.init();
        }).then(function () { return pagefind; });
      });
      bundles[url].catch(function () { delete bundles[url]; });
    }
    return bundles[url];
  }

  function asked(url) {
    return fetch(url, { cache: "no-store" }).then(function (response) {
      if (!response.ok) throw new Error(response.status);
      return response.json();
    });
  }

  // The preview's delta: {pagefind (null when it has no page in this language), superseded (the ids of the full
  // index's pages it replaces)}, or null.
  function delta(state) {
    if (!state || !state.delta) return Promise.resolve(null);
    var lang = (document.documentElement.lang || "unknown").toLowerCase();  // (as Pagefind picks its index)
    var languages = state.delta.languages;
    var has = languages.indexOf(lang) >= 0 || languages.indexOf(lang.split("-")[0]) >= 0;
    // (a new version of a module is a new module: ?v= makes the browser load each index afresh)
    return (has ? bundle(preview.searchDelta, "?v=" + state.version) : Promise.resolve(null)).then(function (pagefind) {
      return { pagefind: pagefind, superseded: new Set(state.delta.superseded) };
    });
  }

  function load() {
    if (!engine) {
      engine = (preview ? asked(preview.searchIndex) : Promise.resolve(null)).then(function (state) {
        if (state) follow(state.version);  // (also before the first index is in place: version 0)
        return Promise.all([bundle(form.dataset.bundle, state ? "?v=" + state.full : ""), delta(state)])
          .then(function (both) { return { main: both[0], delta: both[1] }; });
      });
      engine.catch(function () { engine = null; });
    }
    return engine;
  }

  // The preview only: waits for the server to say that new indexes are in place, then searches again with them.
  var following = null;  // the version waited on
  function follow(version) {
    if (following === version) return;
    following = version;
    asked(preview.searchIndex + "?after=" + version).then(function (state) {
      following = null;
      if (state.version === version) return follow(version);  // (no news before the server's wait ran out)
      engine = null;
      run();
    }, function () { following = null; });  // (the preview has stopped)
  }

  function search(loaded, wanted) {
    var term = wanted.term || null, edits = loaded.delta;
    var searches = [loaded.main.search(term, wanted.options)];
    if (edits && edits.pagefind) searches.push(edits.pagefind.search(term, wanted.options));
    return Promise.all(searches).then(function (found) {
      if (!edits) return found[0].results;
      var kept = found[0].results.filter(function (result) { return !edits.superseded.has(result.id); });
      var added = found[1] ? found[1].results : [];
      if (!wanted.options.sort) {  // by relevance: each index scores its own pages (close enough for a preview)
        return kept.concat(added).sort(function (a, b) { return b.score - a.score; });
      }
      return added.reduce(function (done, result) {
        return done.then(function (list) { return insertByDate(list, result, wanted.options.sort.date); });
      }, Promise.resolve(kept));
    });
  }

  // A result's date as its page sorts by (the "sorted" meta), loaded with its fragment.
  function dateOf(result) {
    return result.data().then(function (page) { return (page.meta && page.meta.sorted) || ""; });
  }

  // Puts result into list (sorted by date in direction), after the results of its own date: the list's dates
  // are loaded for a bisection only, a few fragments for each result added.
  function insertByDate(list, result, direction) {
    return dateOf(result).then(function (date) {
      var low = 0, high = list.length;
      function step() {
        if (low >= high) {
          list.splice(low, 0, result);
          return list;
        }
        var middle = (low + high) >> 1;
        return dateOf(list[middle]).then(function (other) {
          if (direction === "desc" ? other >= date : other <= date) low = middle + 1; else high = middle;
          return step();
        });
      }
      return step();
    });
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
    return load().then(function (loaded) {
      return search(loaded, wanted);
    }).then(function (found) {
      if (mine !== token) return;
      results = found; shown = 0;
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
