// The try-it panel: builds a request from the operation's template (window.TRY_IT, from <api>/try-it.js)
// and sends it with fetch only when the reader presses Send. Credentials typed in live in this
// page's memory only: never stored, never sent anywhere but the server the reader chose.
(function () {
  "use strict";
  var data = window.TRY_IT;
  if (!data) { return; }
  var MOCK = "http://127.0.0.1:8000";
  var secrets = {};
  var counter = 0;

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (key) { node.setAttribute(key, attributes[key]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function field(form, label, control) {
    var id = "try-field-" + (++counter);
    control.id = id;
    var row = element("div", {"class": "try-field"});
    row.appendChild(element("label", {"for": id}, label));
    row.appendChild(control);
    form.appendChild(row);
    return control;
  }

  function serverField(form) {
    var choice = element("select");
    data.servers.concat([MOCK]).forEach(function (url, index) {
      var label = index === data.servers.length ? "Local mock (crm-codegen mock): " + url : url;
      choice.appendChild(element("option", {"value": url}, label));
    });
    choice.appendChild(element("option", {"value": ""}, "Another URL"));
    field(form, "Server", choice);
    var url = field(form, "Server URL", element("input", {"type": "url", "name": "server", "value": choice.value}));
    choice.addEventListener("change", function () { url.value = choice.value; url.focus(); });
    return url;
  }

  function build(article, template) {
    var form = element("form", {"class": "try-panel", "id": "try-" + (++counter)});
    form.appendChild(element("p", {"class": "detail"},
      "Sends the request from this page to the server below when you press Send. The server must allow " +
      "cross-origin requests (the local mock does). Credentials stay in this page."));
    var server = serverField(form);
    var credentials = template.credentials.map(function (c) {
      var label = c.kind === "basic" ? c.key + " (user:password)" : c.kind === "bearer" ? c.key + " (bearer token)" : c.key + " (" + c.in + " " + c.name + ")";
      var input = field(form, label, element("input", {"type": "password", "autocomplete": "off", "value": secrets[c.key] || ""}));
      input.addEventListener("input", function () { secrets[c.key] = input.value; });
      return {spec: c, input: input};
    });
    var parameters = template.parameters.map(function (p) {
      var input = field(form, p.name + " (" + p.in + (p.required ? ", required" : "") + ")",
        element("input", {"type": "text", "value": p.value, "name": p.in + ":" + p.name}));
      return {spec: p, input: input};
    });
    var body = template.body ? field(form, "Body (" + template.body.type + ")",
      element("textarea", {"rows": "8", "spellcheck": "false", "name": "body"})) : null;
    if (body) { body.value = template.body.text; }
    form.appendChild(element("button", {"type": "submit"}, "Send"));
    var output = element("div", {"class": "try-output", "aria-live": "polite"});
    form.appendChild(output);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      send(template, server.value, credentials, parameters, body, output);
    });
    return form;
  }

  function items(p, text) {
    return p.style === "deepObject" ? [] : text.split(",").map(encodeURIComponent);
  }

  function request(template, base, credentials, parameters, body) {
    var path = template.path;
    var query = [];
    var headers = {};
    parameters.forEach(function (entry) {
      var p = entry.spec;
      var text = entry.input.value;
      if (text === "" && !p.required) { return; }
      var name = encodeURIComponent(p.name);
      if (p.in === "path") {
        path = path.split("{" + p.name + "}").join(items(p, text).join(","));
      } else if (p.in === "query" && p.style === "deepObject") {
        var object = JSON.parse(text);
        Object.keys(object).forEach(function (key) { query.push(name + "%5B" + encodeURIComponent(key) + "%5D=" + encodeURIComponent(object[key])); });
      } else if (p.in === "query" && p.explode) {
        items(p, text).forEach(function (item) { query.push(name + "=" + item); });
      } else if (p.in === "query") {
        query.push(name + "=" + items(p, text).join({"spaceDelimited": "%20", "pipeDelimited": "|"}[p.style] || ","));
      } else if (p.in === "header") {
        headers[p.name] = text;
      }
    });
    credentials.forEach(function (entry) {
      var c = entry.spec;
      var value = entry.input.value;
      if (!value) { return; }
      if (c.kind === "bearer") { headers.Authorization = "Bearer " + value; }
      else if (c.kind === "basic") { headers.Authorization = "Basic " + btoa(value); }
      else if (c.in === "query") { query.push(encodeURIComponent(c.name) + "=" + encodeURIComponent(value)); }
      else if (c.in === "header") { headers[c.name] = value; }
    });
    var init = {method: template.method, headers: headers, credentials: "omit", referrerPolicy: "no-referrer"};
    if (body && body.value !== "") {
      headers["Content-Type"] = template.body.type;
      init.body = body.value;
    }
    return {url: base.replace(/\/+$/, "") + path + (query.length ? "?" + query.join("&") : ""), init: init};
  }

  function show(output, title, headers, text) {
    output.textContent = "";
    output.appendChild(element("p", {"class": "try-status"}, title));
    if (headers) { output.appendChild(element("pre", {"class": "try-headers", "tabindex": "0"}, headers)); }
    output.appendChild(element("pre", {"class": "try-body", "tabindex": "0"}, text));
  }

  function send(template, base, credentials, parameters, body, output) {
    var built;
    try {
      built = request(template, base, credentials, parameters, body);
    } catch (error) {
      show(output, "Not sent: " + error.message, "", "");
      return;
    }
    show(output, "Sending " + template.method + " " + built.url + " …", "", "");
    fetch(built.url, built.init).then(function (response) {
      var lines = [];
      response.headers.forEach(function (value, name) { lines.push(name + ": " + value); });
      return response.text().then(function (text) {
        var pretty = text;
        try { pretty = JSON.stringify(JSON.parse(text), null, 2); } catch (ignored) { /* not JSON */ }
        show(output, response.status + " " + response.statusText, lines.join("\n"), pretty);
      });
    }, function (error) {
      show(output, "No response: " + error.message + " (is the server running, and does it allow cross-origin requests?)", "", "");
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button.try");
    if (!button) { return; }
    var article = button.closest("article.operation");
    var panel = button.nextElementSibling;
    if (!panel || !panel.classList.contains("try-panel")) {
      panel = build(article, data.operations[article.id]);
      button.after(panel);
      button.setAttribute("aria-controls", panel.id);
      panel.hidden = true;
    }
    panel.hidden = !panel.hidden;
    button.setAttribute("aria-expanded", String(!panel.hidden));
    if (!panel.hidden) { panel.querySelector("select").focus(); }
  });
})();
