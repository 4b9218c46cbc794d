() => {
  const leave = () => { try { document.body.innerHTML = ""; } catch (e) {} window.location.replace("__EXIT_URL__"); };
  window.refugeExit = leave;
  document.addEventListener("click", (e) => { if (e.target && e.target.closest && e.target.closest("#refuge-exit")) leave(); });
  let shifts = 0, timer = null;
  document.addEventListener("keydown", (e) => {
    if (e.key !== "Shift") { shifts = 0; return; }
    if (e.repeat) return;  // a held Shift auto-repeats: only separate presses count
    shifts += 1; clearTimeout(timer); timer = setTimeout(() => { shifts = 0; }, 5000);
    if (shifts >= 3) leave();
  });
}
