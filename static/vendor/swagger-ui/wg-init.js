// Starts Swagger UI on the API docs page (a static file: no inline scripts).
(function () {
  var node = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({ url: node.getAttribute("data-spec-url"), domNode: node,
                           deepLinking: true });
})();
