// One-Matter UI: countdowns, rows for list fields, yuan previews, confirmations. No framework.
(function () {
  "use strict";
  var zh = document.body.getAttribute("data-lang") !== "en";

  function pad(n) { return n < 10 ? "0" + n : "" + n; }

  // A countdown counts on the wall clock; in an accelerated demo the deadlines are the case's time, so
  // counting down to them on the wall clock would mislead: the date alone is shown.
  var accelerated = document.body.getAttribute("data-accelerated") === "1";

  function tick() {
    if (accelerated) { return; }
    var now = Date.now();
    document.querySelectorAll(".countdown[data-until]").forEach(function (el) {
      var until = Date.parse(el.getAttribute("data-until"));
      if (isNaN(until)) { return; }
      var ms = until - now;
      if (ms <= 0) {
        el.textContent = el.getAttribute("data-over");
        el.classList.add("over");
        return;
      }
      var s = Math.floor(ms / 1000), d = Math.floor(s / 86400);
      var h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
      var days = d > 0 ? d + (zh ? "天 " : "d ") : "";
      el.textContent = el.getAttribute("data-left") + " " + days + pad(h) + ":" + pad(m) + ":" + pad(sec);
    });
  }

  function wireRows(root) {
    root.querySelectorAll("fieldset[data-rows]").forEach(function (fs) {
      var add = fs.querySelector(":scope > .add-row");
      var tpl = fs.querySelector(":scope > template");
      var list = fs.querySelector(":scope > .row-list");
      if (!add || !tpl || !list || add.dataset.wired) { return; }
      add.dataset.wired = "1";
      add.addEventListener("click", function () {
        var i = parseInt(add.getAttribute("data-next") || "0", 10);
        add.setAttribute("data-next", String(i + 1));
        var html = tpl.innerHTML.split(fs.getAttribute("data-rows") + ".__i__").join(fs.getAttribute("data-rows") + "." + i)
          .split("__n__").join(String(i + 1));  // a row's own number (claim_id …), as the server numbers it
        var holder = document.createElement("div");
        holder.innerHTML = html;
        while (holder.firstChild) { list.appendChild(holder.firstChild); }
        wireRows(list);
      });
    });
  }

  document.addEventListener("click", function (ev) {
    var t = ev.target;
    if (t instanceof HTMLElement && t.classList.contains("remove-row")) {
      var row = t.closest(".row-item");
      if (row) { row.remove(); }
    }
  });

  function yuanPreview(input) {
    var preview = document.createElement("span");
    preview.className = "preview";
    input.parentNode.appendChild(preview);
    function update() {
      var v = input.value.replace(/[,¥￥\s]/g, "");
      if (!/^\d+(\.\d{1,2})?$/.test(v)) { preview.textContent = ""; return; }
      var parts = v.split(".");
      var yuan = Number(parts[0]).toLocaleString(zh ? "zh-CN" : "en-US");
      preview.textContent = "¥" + yuan + "." + ((parts[1] || "") + "00").slice(0, 2);
    }
    input.addEventListener("input", update);
    update();
  }

  // What the server's guard refuses in any text (controls, bidi overrides: they forge what people read),
  // said beside the field before the form leaves, so the rest of what was typed stays.
  var FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

  function forbiddenText(form) {
    var first = null;
    form.querySelectorAll("input[name], textarea[name]").forEach(function (el) {
      var field = el.closest(".field") || el.parentNode;
      var old = field.querySelector(":scope > small.error[data-client]");
      if (old) { old.remove(); }
      if (el.type === "file" || el.type === "hidden" || !FORBIDDEN.test(el.value)) { return; }
      var note = document.createElement("small");
      note.className = "error";
      note.setAttribute("data-client", "1");
      note.setAttribute("role", "alert");
      note.textContent = zh ? "不得包含控制字符或双向覆盖字符 (可能是复制粘贴带入的不可见字符)"
        : "No control or bidi-override characters (often invisible, brought in by copy and paste)";
      field.appendChild(note);
      field.classList.add("has-error");
      el.setAttribute("aria-invalid", "true");
      if (!first) { first = el; }
    });
    if (first) { first.focus(); }
    return first !== null;
  }

  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (form.querySelectorAll && forbiddenText(form)) { ev.preventDefault(); return; }
    var msg = form.getAttribute && form.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) { ev.preventDefault(); return; }
    // One submission per form: a double click must not send a decision twice.
    if (form.dataset.sent) { ev.preventDefault(); return; }
    form.dataset.sent = "1";
  });

  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form").forEach(function (f) { delete f.dataset.sent; });
  });

  // The header's counts of what waits for this user (a request after the page, so no page waits for it).
  function counts() {
    var badges = document.querySelectorAll(".nav .count[data-count]");
    if (!badges.length || !window.fetch) { return; }
    fetch("/ui/queue/counts", { credentials: "same-origin" }).then(function (r) { return r.ok ? r.json() : null; })
      .then(function (c) {
        if (!c) { return; }
        badges.forEach(function (b) {
          var n = c[b.getAttribute("data-count")] || 0;
          b.textContent = n > 99 ? "99+" : n ? String(n) : "";
          b.hidden = !n;
        });
      }).catch(function () { /* the count is a convenience: the queue page itself always answers */ });
  }

  document.addEventListener("DOMContentLoaded", function () {
    counts();
    wireRows(document);
    document.querySelectorAll("input[data-yuan]").forEach(yuanPreview);
    tick();
    setInterval(tick, 1000);
  });
})();
