// The family photo on the booth tablet: the file input opens the camera,
// the photo is previewed (retake opens the camera again) and uploaded with
// its progress shown. Without this script the form posts as it is.
"use strict";

(function () {
  function setup(form) {
    var input = form.querySelector("input[type=file]");
    var figure = form.querySelector(".photo-preview");
    var preview = form.querySelector("[data-photo-preview]");
    var progress = form.querySelector("progress");
    var error = form.querySelector("[data-photo-error]");
    var retake = form.querySelector("[data-photo-retake]");
    var submit = form.querySelector("button[type=submit]");
    var shown = null;

    function showError(msg) {
      error.textContent = msg;
      error.hidden = false;
      error.setAttribute("tabindex", "-1");
      error.focus();
    }

    input.addEventListener("change", function () {
      error.hidden = true;
      if (shown) URL.revokeObjectURL(shown);
      shown = null;
      var file = input.files && input.files[0];
      figure.hidden = !file;
      retake.hidden = !file;
      if (!file) return;
      shown = URL.createObjectURL(file);
      preview.src = shown;
    });

    retake.addEventListener("click", function () {
      input.value = "";
      input.click();
    });

    form.addEventListener("submit", function (event) {
      var file = input.files && input.files[0];
      if (!file) return;
      event.preventDefault();
      var data = new FormData();
      data.append("photo", file);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.getAttribute("data-photo-upload"));
      xhr.setRequestHeader("Idempotency-Key", form.elements.idempotency_key.value);
      xhr.setRequestHeader("Accept", "application/json");
      progress.hidden = false;
      progress.value = 0;
      submit.disabled = true;
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) progress.value = Math.round((e.loaded / e.total) * 100);
      });
      xhr.addEventListener("load", function () {
        submit.disabled = false;
        if (xhr.status === 201) {
          // A new query each time, so the page loads again with the photo.
          var id = (JSON.parse(xhr.responseText) || {}).id || Date.now();
          window.location.href = window.location.pathname + "?taken=" + encodeURIComponent(id) + "#photos";
          return;
        }
        progress.hidden = true;
        showError(form.getAttribute("data-msg-" + xhr.status) || form.getAttribute("data-msg-error"));
      });
      xhr.addEventListener("error", function () {
        submit.disabled = false;
        progress.hidden = true;
        showError(form.getAttribute("data-msg-error"));
      });
      xhr.send(data);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var forms = document.querySelectorAll("form[data-photo-upload]");
    for (var i = 0; i < forms.length; i++) setup(forms[i]);
  });
})();
