// The console's few behaviours beyond htmx (which only the entry form loads):
// copying a shown value.
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
