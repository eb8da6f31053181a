// Header menus (<details>): close on Escape, on a click outside, and when another opens.
(function () {
  "use strict";
  function menus() {
    return document.querySelectorAll("details.menu, details.confirm");
  }
  document.addEventListener("click", function (event) {
    menus().forEach(function (menu) {
      if (menu.open && !menu.contains(event.target)) menu.open = false;
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    menus().forEach(function (menu) {
      if (menu.open) {
        menu.open = false;
        menu.querySelector("summary").focus();
      }
    });
  });
})();
