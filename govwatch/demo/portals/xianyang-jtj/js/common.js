/* TRS WCM 公共脚本 */
function SetHome(obj, url) { try { obj.style.behavior = 'url(#default#homepage)'; obj.setHomePage(url); } catch (e) { alert('您的浏览器不支持自动设置主页，请手动设置。'); } }
function AddFavorite(sURL, sTitle) { try { window.external.addFavorite(sURL, sTitle); } catch (e) { alert('加入收藏失败，请使用Ctrl+D进行添加'); } }
function doZoom(size) { var el = document.getElementById('zoom'); if (el) { el.style.fontSize = size + 'px'; } }
/* 分页：_nPageCount 总页数，_nCurrIndex 当前页（从0开始），首页为 index.html，其余为 index_N.html */
function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt) {
    if (_nPageCount == null || _nPageCount <= 1) { return; }
    var nCurrIndex = _nCurrIndex || 0;
    document.write("<span>共" + _nPageCount + "页</span>");
    if (nCurrIndex == 0) {
        document.write("<span>首页</span><span>上一页</span>");
    } else {
        document.write("<a href=\"" + _sPageName + "." + _sPageExt + "\">首页</a>");
        var prev = nCurrIndex - 1;
        document.write("<a href=\"" + _sPageName + (prev == 0 ? "" : "_" + prev) + "." + _sPageExt + "\">上一页</a>");
    }
    for (var i = 0; i < _nPageCount; i++) {
        if (i == nCurrIndex) { document.write("<span class=\"current\">" + (i + 1) + "</span>"); }
        else { document.write("<a href=\"" + _sPageName + (i == 0 ? "" : "_" + i) + "." + _sPageExt + "\">" + (i + 1) + "</a>"); }
    }
    if (nCurrIndex == _nPageCount - 1) {
        document.write("<span>下一页</span><span>尾页</span>");
    } else {
        document.write("<a href=\"" + _sPageName + "_" + (nCurrIndex + 1) + "." + _sPageExt + "\">下一页</a>");
        document.write("<a href=\"" + _sPageName + "_" + (_nPageCount - 1) + "." + _sPageExt + "\">尾页</a>");
    }
}
