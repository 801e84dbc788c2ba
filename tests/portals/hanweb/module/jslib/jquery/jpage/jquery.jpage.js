/* jquery.jpage.js — Hanweb 大汉 jcms 分页插件（客户端分页） */
(function ($) {
    $.fn.jpage = function (config) {
        var el = this, perPage = config.perPage || 15, total = config.totalRecord || 0;
        var records = [];
        el.find('script[type="text/xml"]').each(function () {
            $(this.text || this.innerHTML).find('record').each(function () { records.push($(this).text()); });
        });
        function show(page) {
            var html = records.slice((page - 1) * perPage, page * perPage).join('');
            el.find('.default_pgContainer').html(html);
        }
        show(1);
        return this;
    };
})(jQuery);
