(function () {
  var url = "__EXIT_URL__";
  function leave(e) {
    if (e && e.preventDefault) e.preventDefault();
    try { document.body.innerHTML = ""; document.title = ""; } catch (x) {}
    window.location.replace(url);
  }
  window.refugeExit = leave;
  document.addEventListener("click", function (e) {
    var t = e.target;
    if (t && t.closest && t.closest("#refuge-exit, #refuge-early-exit")) leave(e);
  }, true);
  var shifts = 0, timer = null;
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Shift") { shifts = 0; return; }
    if (e.repeat) return;  /* a held Shift auto-repeats: only separate presses count */
    shifts += 1; clearTimeout(timer); timer = setTimeout(function () { shifts = 0; }, 5000);
    if (shifts >= 3) leave();
  }, true);
})();
