// carbon serve: the drop zone. Without this script the file chooser inside it still works.
(function () {
  "use strict";
  function show(input) {
    var out = document.getElementById("chosen");
    if (out && input.files && input.files.length) {
      out.textContent = (out.getAttribute("data-label") || "") + input.files[0].name;
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    var drop = document.getElementById("drop");
    var input = document.getElementById("file");
    if (!drop || !input) { return; }
    input.addEventListener("change", function () { show(input); });
    ["dragenter", "dragover"].forEach(function (kind) {
      drop.addEventListener(kind, function (e) { e.preventDefault(); drop.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (kind) {
      drop.addEventListener(kind, function (e) { e.preventDefault(); drop.classList.remove("over"); });
    });
    drop.addEventListener("drop", function (e) {
      if (e.dataTransfer && e.dataTransfer.files.length) {
        input.files = e.dataTransfer.files;
        show(input);
      }
    });
  });
})();
