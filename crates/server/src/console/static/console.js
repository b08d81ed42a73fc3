// The console's few behaviours beyond plain HTML forms, each optional: every page
// works without them. Copying a shown value:
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-copy]");
  if (!button) return;
  var field = document.getElementById(button.getAttribute("data-copy"));
  if (!field) return;
  var done = function () { button.textContent = "已复制"; };
  field.focus();
  field.select();
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(field.value).then(done, function () {
      if (document.execCommand("copy")) done();
    });
  } else if (document.execCommand("copy")) {
    done();
  }
});

// File uploads show how much has been sent, then go where the server sends them.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.hasAttribute("data-upload") || !window.FormData) return;
  event.preventDefault();
  var bar = form.querySelector("progress");
  var status = form.querySelector("#upload-status");
  var request = new XMLHttpRequest();
  request.open("POST", form.action);
  request.upload.addEventListener("progress", function (e) {
    if (!e.lengthComputable) return;
    var percent = Math.round((e.loaded / e.total) * 100);
    if (bar) { bar.hidden = false; bar.value = percent; }
    if (status) status.textContent = "已上传 " + percent + "%";
  });
  request.addEventListener("load", function () {
    if (request.responseURL && request.responseURL !== form.action) {
      window.location = request.responseURL;
    } else {
      document.open();
      document.write(request.responseText);
      document.close();
    }
  });
  request.addEventListener("error", function () {
    if (status) status.textContent = "上传失败，请检查网络后重试";
  });
  request.send(new FormData(form));
});

// A form with `data-check` is checked as the user types: on a change, and 800 ms
// after typing stops, it is posted to that address (nothing is saved there), and the
// answer put in place: each part with `data-place` over the element of the same id
// (the problem beside a field), the rest into `#live` (the summary at the top).
(function () {
  var timer = null;
  var asked = 0;
  function check(form) {
    var mine = ++asked;
    fetch(form.getAttribute("data-check"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(new FormData(form)).toString()
    }).then(function (response) {
      return response.ok ? response.text() : null;
    }).then(function (html) {
      // An answer to an older question than the last one asked is dropped.
      if (html === null || mine !== asked) return;
      var answer = document.createElement("template");
      answer.innerHTML = html;
      answer.content.querySelectorAll("[data-place]").forEach(function (part) {
        var here = document.getElementById(part.id);
        if (here) here.replaceWith(part); else part.remove();
      });
      var live = document.getElementById("live");
      if (live) live.replaceChildren(answer.content);
    }).catch(function () {});
  }
  function checked(event) {
    var form = event.target.form;
    return form && form.hasAttribute("data-check") ? form : null;
  }
  document.addEventListener("change", function (event) {
    var form = checked(event);
    if (form) { clearTimeout(timer); check(form); }
  });
  document.addEventListener("input", function (event) {
    var form = checked(event);
    if (!form) return;
    clearTimeout(timer);
    timer = setTimeout(function () { check(form); }, 800);
  });
})();
